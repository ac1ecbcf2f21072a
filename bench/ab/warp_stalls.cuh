// Why a kernel's warps wait, by CUPTI's PC sampling (issue 24): the timeline says how long each part of a step of
// train_steps takes, this says what its warps were doing meanwhile. Every 2^SAMPLING_PERIOD cycles each
// multiprocessor notes one warp's program counter and its state: "selected" where it issued, otherwise the reason
// it could not (an operand a load has not returned, long_scoreboard; a barrier; an instruction not yet fetched,
// no_instructions; ...). A state's share of the samples is its share of the warps' cycles. Each sample's source
// line comes from the cubin's line table (the build's -lineinfo), so the lines where a step spends its warps' cycles
// are named, and its address places it in the code (a helper's line, inlined in several phases, in each of them).
// Used by bench/ab/train_steps_timeline.cu built with -DWARP_STALLS; needs CUPTI (libcupti.so) and the right to
// profile (CUPTI_ERROR_INSUFFICIENT_PRIVILEGES where the driver keeps it to administrators).
#include <cupti.h>
#include <cupti_pcsampling.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace warp_stalls {

// 2^10 cycles: over a launch of a few milliseconds, thousands of samples a multiprocessor
#define SAMPLING_PERIOD 10
// PCs a fetch of the samples holds at most: more than train_steps has instructions, so one fetch takes them all
#define PCS_A_FETCH 16384
// the buffer CUPTI decodes the hardware's samples into, at about 16 bytes a PC and state: room for every
// instruction of train_steps in every state (CUPTI's default of 1 MB holds about 5,500 PCs)
#define SCRATCH_BYTES (64u << 20)
// source lines printed, the most sampled first
#define LINES_SHOWN 30
// the code's address range in slices of this many bytes, each slice printed with its share of the samples where it
// holds 1 % of them or more: an inlined helper's line is one line wherever it is inlined, a slice is one place
#define SLICE_BYTES 4096

static void check(CUptiResult result, const char* what) {
    if (result != CUPTI_SUCCESS) {
        const char* text = nullptr;
        cuptiGetResultString(result, &text);
        fprintf(stderr, "warp stalls: %s: %s\n", what, text ? text : "unknown CUPTI error");
        exit(3);
    }
}

// The context and the cubins (by CUPTI's CRC) of the modules loaded so far: a sample names its cubin and offset.
static CUcontext context = nullptr;
static std::map<uint64_t, std::string> cubins;

static void CUPTIAPI on_module(void*, CUpti_CallbackDomain domain, CUpti_CallbackId id, const void* data) {
    if (domain != CUPTI_CB_DOMAIN_RESOURCE || id != CUPTI_CBID_RESOURCE_MODULE_LOADED) {
        return;
    }
    auto* resource = static_cast<const CUpti_ResourceData*>(data);
    auto* module = static_cast<const CUpti_ModuleResourceData*>(resource->resourceDescriptor);
    CUpti_GetCubinCrcParams crc{CUpti_GetCubinCrcParamsSize, module->cubinSize, module->pCubin, 0};
    check(cuptiGetCubinCrc(&crc), "cuptiGetCubinCrc");
    cubins[crc.cubinCrc].assign(module->pCubin, module->cubinSize);
    context = resource->context;
}

// Notes every module loaded from here on: call before the first CUDA call.
static void watch_modules() {
    CUpti_SubscriberHandle subscriber;
    check(cuptiSubscribe(&subscriber, (CUpti_CallbackFunc)on_module, nullptr), "cuptiSubscribe");
    check(cuptiEnableCallback(1, subscriber, CUPTI_CB_DOMAIN_RESOURCE, CUPTI_CBID_RESOURCE_MODULE_LOADED), "cuptiEnableCallback");
}

// The lines of source file `file` (its directory dir, as the line table names it), read once: as named, or under
// kernels/ or bench/ab/ of the working directory (the build machine's paths need not exist here); none where
// it is not found.
static const std::vector<std::string>& source_lines(const std::string& dir, const std::string& file) {
    static std::map<std::string, std::vector<std::string>> read;
    auto [known, added] = read.try_emplace(dir + "/" + file);
    if (!added) {
        return known->second;
    }
    std::string base = file.substr(file.find_last_of('/') + 1);
    for (const std::string& path : {dir.empty() ? file : dir + "/" + file, "kernels/" + base, "bench/ab/" + base}) {
        std::ifstream in(path);
        for (std::string line; std::getline(in, line);) {
            known->second.push_back(line.substr(std::min(line.size(), line.find_first_not_of(' '))));
        }
        if (!known->second.empty()) {
            break;
        }
    }
    return known->second;
}

// "file:line" of the instruction at offset pc of function `name` in cubin crc, and the line's text where the file is
// found (source_lines); "pc 0x..." where the cubin has no line table.
static std::pair<std::string, std::string> source_of(uint64_t crc, const char* name, uint64_t pc) {
    auto cubin = cubins.find(crc);
    char where[64];
    snprintf(where, sizeof where, "pc 0x%05llx", (unsigned long long)pc);
    if (cubin == cubins.end()) {
        return {where, ""};
    }
    CUpti_GetSassToSourceCorrelationParams source{
        CUpti_GetSassToSourceCorrelationParamsSize, cubin->second.data(), name, cubin->second.size(), 0, pc, nullptr, nullptr};
    if (cuptiGetSassToSourceCorrelation(&source) != CUPTI_SUCCESS || source.fileName == nullptr) {
        return {where, ""};
    }
    std::string file = source.fileName, dir = source.dirName ? source.dirName : "";
    free(source.fileName);
    free(source.dirName);
    const std::vector<std::string>& lines = source_lines(dir, file);
    uint32_t n = source.lineNumber;
    return {file.substr(file.find_last_of('/') + 1) + ":" + std::to_string(n), n >= 1 && n <= lines.size() ? lines[n - 1] : ""};
}

// Runs launch() with PC sampling on (the module already loaded, by a launch before), then prints what the samples
// in `kernel` say: the warps' states by share, and the source lines with the most samples with their main states.
template <class Launch>
static void sample(Launch launch, const char* kernel) {
    if (context == nullptr) {
        fprintf(stderr, "warp stalls: no module load was seen (watch_modules() after the first CUDA call?)\n");
        exit(3);
    }
    CUpti_PCSamplingEnableParams enable{CUpti_PCSamplingEnableParamsSize, nullptr, context};
    check(cuptiPCSamplingEnable(&enable), "cuptiPCSamplingEnable");
    size_t count = 0;
    CUpti_PCSamplingGetNumStallReasonsParams counted{CUpti_PCSamplingGetNumStallReasonsParamsSize, nullptr, context, &count};
    check(cuptiPCSamplingGetNumStallReasons(&counted), "cuptiPCSamplingGetNumStallReasons");
    std::vector<uint32_t> indices(count);
    std::vector<std::vector<char>> names(count, std::vector<char>(CUPTI_STALL_REASON_STRING_SIZE));
    std::vector<char*> namePointers;
    for (auto& name : names) {
        namePointers.push_back(name.data());
    }
    CUpti_PCSamplingGetStallReasonsParams reasons{
        CUpti_PCSamplingGetStallReasonsParamsSize, nullptr, context, count, indices.data(), namePointers.data()};
    check(cuptiPCSamplingGetStallReasons(&reasons), "cuptiPCSamplingGetStallReasons");
    // the warps' states by index, "long_scoreboard" for smsp__pcsamp_warps_issue_stalled_long_scoreboard; a counter
    // CUPTI lists that is not a state (a count of all samples, say) is named and left out, so no sample counts twice
    const char* statePrefix = "smsp__pcsamp_warps_issue_stalled_";
    std::map<uint32_t, std::string> reasonOf;
    for (size_t i = 0; i < count; i++) {
        std::string name = names[i].data();
        if (name.rfind(statePrefix, 0) == 0) {
            reasonOf[indices[i]] = name.substr(strlen(statePrefix));
        } else {
            printf("  (CUPTI's counter %s is not a warp state: left out)\n", name.c_str());
        }
    }
    std::vector<CUpti_PCSamplingPCData> pcs(PCS_A_FETCH);
    std::vector<CUpti_PCSamplingStallReason> slots((size_t)PCS_A_FETCH * count);
    for (size_t i = 0; i < pcs.size(); i++) {
        pcs[i].size = sizeof(CUpti_PCSamplingPCData);
        pcs[i].stallReason = slots.data() + i * count;
    }
    CUpti_PCSamplingData data{};
    data.size = sizeof data;
    data.collectNumPcs = pcs.size();
    data.pPcData = pcs.data();
    CUpti_PCSamplingConfigurationInfo config[6] = {};
    config[0].attributeType = CUPTI_PC_SAMPLING_CONFIGURATION_ATTR_TYPE_STALL_REASON;
    config[0].attributeData.stallReasonData.stallReasonCount = count;
    config[0].attributeData.stallReasonData.pStallReasonIndex = indices.data();
    config[1].attributeType = CUPTI_PC_SAMPLING_CONFIGURATION_ATTR_TYPE_SAMPLING_PERIOD;
    config[1].attributeData.samplingPeriodData.samplingPeriod = SAMPLING_PERIOD;
    config[2].attributeType = CUPTI_PC_SAMPLING_CONFIGURATION_ATTR_TYPE_SAMPLING_DATA_BUFFER;
    config[2].attributeData.samplingDataBufferData.samplingDataBuffer = &data;
    config[3].attributeType = CUPTI_PC_SAMPLING_CONFIGURATION_ATTR_TYPE_ENABLE_START_STOP_CONTROL;
    config[3].attributeData.enableStartStopControlData.enableStartStopControl = 1;
    config[4].attributeType = CUPTI_PC_SAMPLING_CONFIGURATION_ATTR_TYPE_COLLECTION_MODE;
    config[4].attributeData.collectionModeData.collectionMode = CUPTI_PC_SAMPLING_COLLECTION_MODE_CONTINUOUS;
    config[5].attributeType = CUPTI_PC_SAMPLING_CONFIGURATION_ATTR_TYPE_SCRATCH_BUFFER_SIZE;
    config[5].attributeData.scratchBufferSizeData.scratchBufferSize = SCRATCH_BYTES;
    CUpti_PCSamplingConfigurationInfoParams configured{CUpti_PCSamplingConfigurationInfoParamsSize, nullptr, context, 6, config};
    check(cuptiPCSamplingSetConfigurationAttribute(&configured), "cuptiPCSamplingSetConfigurationAttribute");
    for (const auto& attribute : config) {
        check(attribute.attributeStatus, "a PC sampling attribute");
    }
    CUpti_PCSamplingStartParams start{CUpti_PCSamplingStartParamsSize, nullptr, context};
    check(cuptiPCSamplingStart(&start), "cuptiPCSamplingStart");
    double ms = launch();
    CUpti_PCSamplingStopParams stop{CUpti_PCSamplingStopParamsSize, nullptr, context};
    check(cuptiPCSamplingStop(&stop), "cuptiPCSamplingStop");
    // the samples come in buffers of PCS_A_FETCH PCs at most: what the stop left in the buffer, then what each fetch
    // brings until none remain, then what the disable copies in
    std::map<std::string, uint64_t> byReason;
    struct Line {
        std::string text;
        std::map<std::string, uint64_t> states;
        uint64_t samples = 0, low = UINT64_MAX, high = 0;  // and the lowest and highest sampled PC
    };
    std::map<std::string, Line> byLine;
    std::map<uint64_t, std::map<std::string, uint64_t>> bySlice;  // the samples of each line in each slice
    uint64_t samples = 0, total = 0, dropped = 0, others = 0;
    bool full = false;
    auto consume = [&] {
        total += data.totalSamples;
        dropped += data.droppedSamples;
        others += data.nonUsrKernelsTotalSamples;
        full |= data.hardwareBufferFull != 0;
        for (size_t i = 0; i < data.totalNumPcs; i++) {
            const CUpti_PCSamplingPCData& pc = pcs[i];
            if (pc.functionName == nullptr || strcmp(pc.functionName, kernel) != 0) {
                continue;
            }
            auto [where, text] = source_of(pc.cubinCrc, pc.functionName, pc.pcOffset);
            Line& line = byLine[where];
            line.text = text;
            uint64_t before = line.samples;
            for (size_t r = 0; r < pc.stallReasonCount; r++) {
                auto state = reasonOf.find(pc.stallReason[r].pcSamplingStallReasonIndex);
                // the "..._not_issued" counts are the samples of a state where the warp did not issue, a part of
                // the state's own count: left out, so every sample counts once
                if (state == reasonOf.end() || state->second.find("not_issued") != std::string::npos) {
                    continue;
                }
                const std::string& reason = state->second;
                uint64_t n = pc.stallReason[r].samples;
                byReason[reason] += n;
                line.states[reason] += n;
                line.samples += n;
                samples += n;
            }
            if (line.samples > before) {
                line.low = std::min(line.low, (uint64_t)pc.pcOffset);
                line.high = std::max(line.high, (uint64_t)pc.pcOffset);
                bySlice[pc.pcOffset / SLICE_BYTES][where] += line.samples - before;
            }
        }
        data.totalNumPcs = data.remainingNumPcs = 0;
        data.totalSamples = data.droppedSamples = data.nonUsrKernelsTotalSamples = 0;
        data.hardwareBufferFull = 0;
    };
    consume();
    for (size_t remaining = 1; remaining > 0;) {
        CUpti_PCSamplingGetDataParams get{CUpti_PCSamplingGetDataParamsSize, nullptr, context, &data};
        check(cuptiPCSamplingGetData(&get), "cuptiPCSamplingGetData");
        remaining = data.remainingNumPcs;
        consume();
    }
    CUpti_PCSamplingDisableParams disable{CUpti_PCSamplingDisableParamsSize, nullptr, context};
    check(cuptiPCSamplingDisable(&disable), "cuptiPCSamplingDisable");
    consume();
    printf("warp states, by CUPTI's PC sampling of one launch (%.3f ms sampled), a sample every 2^%d cycles a multiprocessor:\n", ms,
           SAMPLING_PERIOD);
    printf("  %llu samples in %s, %llu in all (%llu dropped, %llu in other kernels)%s\n", (unsigned long long)samples, kernel,
           (unsigned long long)total, (unsigned long long)dropped, (unsigned long long)others, full ? "; the hardware buffer filled" : "");
    if (samples == 0) {
        return;
    }
    auto sorted = [](const std::map<std::string, uint64_t>& counts) {
        std::vector<std::pair<uint64_t, std::string>> v;
        for (const auto& [name, n] : counts) {
            if (n > 0) {
                v.push_back({n, name});
            }
        }
        std::sort(v.rbegin(), v.rend());
        return v;
    };
    printf("  share of the samples by state (selected: the warp issued):\n");
    for (const auto& [n, reason] : sorted(byReason)) {
        printf("    %-28s %6.2f %%\n", reason.c_str(), 100.0 * n / samples);
    }
    std::vector<std::pair<uint64_t, std::string>> lines;
    for (const auto& [where, line] : byLine) {
        lines.push_back({line.samples, where});
    }
    std::sort(lines.rbegin(), lines.rend());
    printf("  the %d source lines with the most samples (share of all; the lowest and highest PC sampled; its states' shares of its"
           " samples, the first three):\n", (int)std::min<size_t>(LINES_SHOWN, lines.size()));
    for (size_t i = 0; i < lines.size() && i < LINES_SHOWN; i++) {
        const auto& [n, where] = lines[i];
        const Line& line = byLine[where];
        std::string states;
        auto ranked = sorted(line.states);
        for (size_t r = 0; r < ranked.size() && r < 3; r++) {
            char part[64];
            snprintf(part, sizeof part, "%s%s %.0f %%", r ? ", " : "", ranked[r].second.c_str(), 100.0 * ranked[r].first / n);
            states += part;
        }
        printf("    %-22s %6.2f %%  %05llx-%05llx  %-58s | %.60s\n", where.c_str(), 100.0 * n / samples, (unsigned long long)line.low,
               (unsigned long long)line.high, states.c_str(), line.text.c_str());
    }
    // the compiler lays code out mostly in the source's order, so the slices in address order follow a step's phases
    printf("  the samples by %d bytes of code in address order, where a slice holds 1 %% of them or more (its busiest line):\n", SLICE_BYTES);
    uint64_t rest = 0;
    for (const auto& [slice, counts] : bySlice) {
        uint64_t n = 0;
        for (const auto& [where, k] : counts) {
            n += k;
        }
        if (100 * n < samples) {
            rest += n;
            continue;
        }
        auto [top, busiest] = sorted(counts).front();
        printf("    %05llx-%05llx %6.2f %%  %-22s %6.2f %%  | %.60s\n", (unsigned long long)(slice * SLICE_BYTES),
               (unsigned long long)((slice + 1) * SLICE_BYTES - 1), 100.0 * n / samples, busiest.c_str(), 100.0 * top / samples,
               byLine[busiest].text.c_str());
    }
    printf("    the other slices    %6.2f %%\n", 100.0 * rest / samples);
}

}  // namespace warp_stalls
