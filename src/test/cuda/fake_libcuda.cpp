// A stand-in for the NVIDIA driver (libcuda.so.1) on machines without a GPU, for tests only: with it on
// LD_LIBRARY_PATH, JCuda's driver library binds to these functions, so CudaBackend's own code (contexts,
// allocations, copies, launches with their arguments and grids, graph capture and replay) runs in CI. The
// kernels are the real kernels/*.cu, run on the CPU by block_emulator.h; "device memory" is host memory.
//
// It is stricter than it needs to be where a real GPU fails late or only sometimes: a call without a
// current context, a copy or kernel pointer outside every live allocation, a launch the hardware refuses
// (block or grid too big), a call that capture forbids while this thread captures, a PTX newer than the
// driver or for a newer GPU, a kernel that writes past the end of an allocation: each is refused with the
// driver's error code.
// Errors of a kernel are sticky, as on a GPU: every later call returns them. Memory still allocated when the
// context is released is reported on stderr.
//
// Knobs (environment, read by cuInit): FAKE_CUDA_DRIVER_VERSION (default 13000, i.e. CUDA 13.0),
// FAKE_CUDA_MEMORY_MIB (default 4096), FAKE_CUDA_FAIL_LAUNCH=N (the Nth kernel run fails, as a GPU fault),
// FAKE_CUDA_FAULT_KERNEL=ENTRY (every run of that kernel faults, as an illegal address would: a kernel this GPU gets wrong;
// ENTRY:N, only its runs whose parameter N, an int counted from 0, is not 0: output_step:2, the step given its product's k),
// FAKE_CUDA_HANG_KERNEL=ENTRY (that kernel never ends, as one that waits for ever on a GPU: its process waits until killed),
// FAKE_CUDA_COOPERATIVE=0 (a device that cannot launch cooperatively), FAKE_CUDA_COOPERATIVE=refused (one that
// says it can, then refuses every cooperative launch, as it would a grid that does not fit), FAKE_CUDA_HOST_MIB
// (page-locked host memory that cuMemAllocHost gives at most; default no limit), FAKE_CUDA_COMPUTE_CAPABILITY
// (major * 10 + minor, default 90 as an H200's; PTX whose .target is newer is refused, as a real JIT refuses it),
// FAKE_CUDA_CLUSTERS=refused (a device of 9.0 on that refuses every launch of a thread block cluster, as it would
// one it cannot hold), FAKE_CUDA_CLUSTERS=portable (one that holds no cluster of more than 8 blocks, allowed or not).
// A kernel whose PTX declares its cluster's size (.reqnctapercluster, from __cluster_dims__) launches as one
// cluster, which here is the grid of a cooperative launch (cooperative_groups.h): its grid must be that size, of
// 8 blocks at most unless the function is allowed a size that is not portable (up to 16, where the device holds it). A launch of over 48 KiB
// of dynamic shared memory needs the function allowed it (cuFuncSetAttribute), up to 227 KiB as on an H200.
#include "block_emulator.h"
#include "fake_cuda.h"

#include <chrono>
#include <cstdint>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>

#include "all_kernels.h"

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;

enum : CUresult {
    SUCCESS = 0, INVALID_VALUE = 1, OUT_OF_MEMORY = 2, NOT_INITIALIZED = 3, INVALID_DEVICE = 101,
    INVALID_CONTEXT = 201, INVALID_PTX = 218, UNSUPPORTED_PTX_VERSION = 222, INVALID_HANDLE = 400, ILLEGAL_STATE = 401,
    NOT_FOUND = 500, NOT_SUPPORTED = 801, INVALID_CLUSTER_SIZE = 912, ILLEGAL_ADDRESS = 700, LAUNCH_FAILED = 719, COOPERATIVE_LAUNCH_TOO_LARGE = 720, CAPTURE_UNSUPPORTED = 900, CAPTURE_INVALIDATED = 901, CAPTURE_UNJOINED = 904,
};

// Returns the refusal of a check that refuses.
#define TRY(check)                     \
    if (CUresult rc_ = (check)) {      \
        return rc_;                    \
    }

namespace {
struct Context {
    int retained = 0;
};

struct Op {
    std::function<void()> run;
    bool kernel;
};

struct Stream {
    bool capturing = false;
    bool invalidated = false;
    std::thread::id captor;
    std::vector<Op> captured;
    // A stream forked from another (it waited on an event recorded there) holds its ops until a stream waits on an
    // event recorded after them (the join), which takes them then, into its capture or to run: so the ops issued
    // between the fork and the join run first, and a race between the two streams shows in the results, as a
    // stream never joined back does at the end of a capture. `capture`: the capture it forked from, if any.
    bool forked = false;
    Stream* capture = nullptr;
    std::vector<Op> held;
    size_t released = 0;  // held ops taken by joins so far
};

// An event: the stream it was last recorded on, and how many of that stream's held ops came before it.
struct Event {
    Stream* stream = nullptr;
    size_t upto = 0;  // as the stream counts them: released + held
    Stream* capture = nullptr;
};

struct Graph {
    std::vector<Op> ops;
};

struct Module {
    std::vector<std::string> entries;
    std::map<std::string, int> clusterWidths;  // of the entries whose PTX declares their cluster's size
};

// A kernel: binds its launch's parameters into a run of it, or to nothing where a pointer is outside every allocation;
// its cluster's size (0: no clusters) and what it is allowed.
struct Function {
    std::function<std::function<void()>(void**)> bind;
    int clusterWidth = 0;
    bool nonPortableCluster = false;
    bool faults = false;  // FAKE_CUDA_FAULT_KERNEL's
    bool hangs = false;   // FAKE_CUDA_HANG_KERNEL's
    size_t maxDynamicShared = 48 * 1024;
};

constexpr size_t SHARED_PER_BLOCK_OPTIN = 227 * 1024;
constexpr int PORTABLE_CLUSTER = 8, MAX_CLUSTER = 16;

std::mutex lock;
bool initialised;
int driverVersion = 13000;
int computeCapability = 90;
size_t memoryBytes = size_t(4096) << 20;
size_t hostBytes = SIZE_MAX;
long failLaunch = -1;
std::string faultKernel;  // FAKE_CUDA_FAULT_KERNEL's entry
int faultParameter = -1;  // and the int parameter that is not 0 in the runs that fault, or -1: every run
std::string hangKernel;   // FAKE_CUDA_HANG_KERNEL
bool cooperativeLaunch = true;
bool cooperativeRefused = false;
bool clustersRefused = false;
bool portableClustersOnly = false;
int devices = 1;  // alike, sharing the one emulated context: a process uses one
long launches;
CUresult sticky = SUCCESS;
Context primary;
thread_local Context* current;
std::map<uintptr_t, size_t> allocations;  // start -> bytes
size_t allocated;
// Bytes past an allocation's 256-byte rounding that are guard too, as is the rounding past its last float: each
// word a NaN of its own bits, so a kernel that reads past an allocation's end carries NaN into its results, and
// one that writes there fails (guardsIntact, after each kernel), as it might not on a GPU.
constexpr size_t GUARD_BYTES = 256;
constexpr uint32_t GUARD_WORD = 0x7fc0beef;
// page-locked host memory (start -> bytes), which goes with the context as the driver's does
std::map<void*, size_t> hostAllocations;

// Every refusal is also said on stderr, so a test can tell a misuse from a success.
CUresult refuse(CUresult rc, const char* call, const char* why) {
    fprintf(stderr, "fake libcuda: %s refused (%d): %s\n", call, rc, why);
    return rc;
}

bool inAllocation(const void* p, size_t bytes) {
    auto a = allocations.upper_bound((uintptr_t)p);
    if (a == allocations.begin()) {
        return false;
    }
    --a;
    return (uintptr_t)p + bytes <= a->first + a->second;
}

// Binds a kernel's parameters as the driver does at launch: each value is copied now from kernelParams.
template <class... Args, size_t... I>
std::function<void()> bindArgs(void (*kernel)(Args...), void** params, std::index_sequence<I...>) {
    std::tuple<std::decay_t<Args>...> values{*static_cast<std::decay_t<Args>*>(params[I])...};
    return [kernel, values] { std::apply(kernel, values); };
}

template <class... Args, size_t... I>
bool pointersIn(void** params, std::index_sequence<I...>) {
    auto valid = [](auto* slot) {
        using T = std::remove_pointer_t<decltype(slot)>;
        if constexpr (std::is_pointer_v<T>) {
            return inAllocation(*slot, 1);
        } else {
            return true;
        }
    };
    return (valid(static_cast<std::decay_t<Args>*>(params[I])) && ...);
}

template <class... Args> Function function(void (*kernel)(Args...)) {
    return {[kernel](void** p) {
        auto args = std::index_sequence_for<Args...>();
        return pointersIn<Args...>(p, args) ? bindArgs(kernel, p, args) : std::function<void()>();
    }};
}

// every kernel of kernels/*.cu by its entry point (all_kernels.h is generated from them)
std::map<std::string, Function>& kernels() {
#define ENTRY(name) {#name, function(name)},
    static std::map<std::string, Function> k = {FOR_EACH_KERNEL(ENTRY)};
#undef ENTRY
    return k;
}

CUresult usable(const char* call) {
    if (!initialised) {
        return refuse(NOT_INITIALIZED, call, "cuInit was not called");
    }
    if (current == nullptr || current->retained == 0) {
        return refuse(INVALID_CONTEXT, call, "no current context on this thread");
    }
    return sticky;
}

// The capture a stream's ops go into: its own, or that of the stream it forked from.
Stream* captureOf(Stream* s) {
    return s->capturing ? s : s->capture;
}

// A call that capture forbids (allocating, synchronous copies, synchronising) ends this thread's capture.
CUresult forbiddenWhileCapturing(Stream* s, const char* call) {
    Stream* c = s != nullptr ? captureOf(s) : nullptr;
    if (c != nullptr && c->captor == std::this_thread::get_id()) {
        c->invalidated = true;
        return refuse(CAPTURE_UNSUPPORTED, call, "not allowed while this thread captures a stream; the capture is invalidated");
    }
    return SUCCESS;
}

std::vector<Stream*> streams;

CUresult forbiddenWhileThisThreadCaptures(const char* call) {
    for (Stream* s : streams) {
        TRY(forbiddenWhileCapturing(s, call))
    }
    return SUCCESS;
}

// An allocation's guard: from the word after its last byte to the end of its memory.
std::pair<uint32_t*, uint32_t*> guardOf(uintptr_t start, size_t bytes) {
    return {(uint32_t*)(start + (bytes + 3) / 4 * 4), (uint32_t*)(start + (bytes + 255) / 256 * 256 + GUARD_BYTES)};
}

// Whether every guard is as cuMemAlloc wrote it.
bool guardsIntact() {
    for (auto& [start, bytes] : allocations) {
        auto [from, to] = guardOf(start, bytes);
        if (std::find_if(from, to, [](uint32_t w) { return w != GUARD_WORD; }) != to) {
            return false;
        }
    }
    return true;
}

void run(const Op& op) {
    if (sticky != SUCCESS) {
        return;
    }
    if (op.kernel && ++launches == failLaunch) {
        sticky = LAUNCH_FAILED;  // as a faulting kernel: reported by this call or the next
        fprintf(stderr, "fake libcuda: kernel run %ld fails (FAKE_CUDA_FAIL_LAUNCH)\n", launches);
        return;
    }
    op.run();
    if (op.kernel && !guardsIntact()) {
        sticky = ILLEGAL_ADDRESS;  // as the kernel's fault, reported by this call or the next
        fprintf(stderr, "fake libcuda: kernel run %ld wrote past the end of an allocation\n", launches);
    }
}

CUresult submit(Stream* s, Op op) {
    if (s->forked) {
        s->held.push_back(std::move(op));
    } else if (s->capturing) {
        if (!s->invalidated) {
            s->captured.push_back(std::move(op));
        }
    } else {
        run(op);
    }
    return SUCCESS;
}

// A join: `into` takes the ops `from` holds up to its op number `upto`, and `from` is no longer forked once it
// holds none.
void release(Stream* from, size_t upto, Stream* into) {
    size_t n = std::min(from->held.size(), upto > from->released ? upto - from->released : 0);
    std::vector<Op> ops(from->held.begin(), from->held.begin() + n);
    from->held.erase(from->held.begin(), from->held.begin() + n);
    from->released += n;
    if (from->held.empty()) {
        from->forked = false;
        from->capture = nullptr;
    }
    for (Op& op : ops) {
        if (into != nullptr) {
            submit(into, std::move(op));
        } else {
            run(op);
        }
    }
}

std::vector<Event*> events;

// The stream or event a handle names, or INVALID_HANDLE where the driver made none such or it is destroyed.
template <typename T>
CUresult find(const char* call, const std::vector<T*>& made, const char* none, void* handle, T*& t) {
    auto found = std::find(made.begin(), made.end(), handle);
    if (found == made.end()) {
        return refuse(INVALID_HANDLE, call, none);
    }
    t = *found;
    return SUCCESS;
}

CUresult find(const char* call, void* handle, Stream*& s) {
    return find(call, streams, "no such stream", handle, s);
}

CUresult usableStream(const char* call, void* handle, Stream*& s) {
    TRY(usable(call))
    return find(call, handle, s);
}

// What a synchronous call on device memory must pass: no capture on this thread, a usable context, the range allocated.
CUresult synchronous(const char* call, const void* device, size_t bytes) {
    TRY(forbiddenWhileThisThreadCaptures(call))
    TRY(usable(call))
    return inAllocation(device, bytes) ? SUCCESS : refuse(INVALID_VALUE, call, "outside every allocation");
}

void releaseAll() {
    if (!allocations.empty()) {
        fprintf(stderr, "fake libcuda: %zu allocations (%zu bytes) still live when the context was released\n",
                allocations.size(), allocated);
    }
    for (auto& a : allocations) {
        free((void*)a.first);
    }
    allocations.clear();
    allocated = 0;
    if (!hostAllocations.empty()) {
        fprintf(stderr, "fake libcuda: %zu page-locked host allocations still live when the context was released\n",
                hostAllocations.size());
    }
    for (auto& [h, bytes] : hostAllocations) {
        free(h);
    }
    hostAllocations.clear();
}

struct ExitCheck {
    ~ExitCheck() {
        if (primary.retained > 0) {
            fprintf(stderr, "fake libcuda: the primary context is still retained at exit (a backend was never closed)\n");
        }
    }
} exitCheck;
}  // namespace

#define LOCKED std::lock_guard<std::mutex> guard(lock)
// Declares s, the usable stream of handle, or returns why there is none.
#define STREAM(handle, s) \
    Stream* s;            \
    TRY(usableStream(__func__, handle, s))

API int fake_cuda_enqueue(void* handle, const std::function<void()>& op, const FakeBuffer* buffers, int count) {
    LOCKED;
    STREAM(handle, s);
    for (int i = 0; i < count; i++) {
        if (buffers[i].bytes > 0 && !inAllocation(buffers[i].ptr, buffers[i].bytes)) {
            return refuse(INVALID_VALUE, "cublas", "an operand outside every allocation");
        }
    }
    return submit(s, {op, true});
}

API CUresult cuInit(unsigned flags) {
    LOCKED;
    if (const char* v = getenv("FAKE_CUDA_DRIVER_VERSION")) {
        driverVersion = atoi(v);
    }
    if (const char* v = getenv("FAKE_CUDA_COMPUTE_CAPABILITY")) {
        computeCapability = atoi(v);
    }
    if (const char* v = getenv("FAKE_CUDA_MEMORY_MIB")) {
        memoryBytes = size_t(atol(v)) << 20;
    }
    if (const char* v = getenv("FAKE_CUDA_HOST_MIB")) {
        hostBytes = size_t(atol(v)) << 20;
    }
    if (const char* v = getenv("FAKE_CUDA_FAIL_LAUNCH")) {
        failLaunch = atol(v);
    }
    if (const char* v = getenv("FAKE_CUDA_FAULT_KERNEL")) {
        faultKernel = v;
        size_t colon = faultKernel.find(':');
        if (colon != std::string::npos) {
            faultParameter = atoi(faultKernel.c_str() + colon + 1);
            faultKernel.resize(colon);
        }
    }
    if (const char* v = getenv("FAKE_CUDA_HANG_KERNEL")) {
        hangKernel = v;
    }
    if (const char* v = getenv("FAKE_CUDA_DEVICES")) {
        devices = atoi(v);
    }
    if (const char* v = getenv("FAKE_CUDA_COOPERATIVE")) {
        cooperativeLaunch = strcmp(v, "0") != 0;
        cooperativeRefused = strcmp(v, "refused") == 0;
    }
    if (const char* v = getenv("FAKE_CUDA_CLUSTERS")) {
        clustersRefused = strcmp(v, "refused") == 0;
        portableClustersOnly = strcmp(v, "portable") == 0;
    }
    initialised = true;
    return flags == 0 ? SUCCESS : INVALID_VALUE;
}

API CUresult cuDriverGetVersion(int* version) {
    *version = driverVersion;
    return SUCCESS;
}

API CUresult cuDeviceGetCount(int* count) {
    LOCKED;
    *count = devices;
    return initialised ? SUCCESS : NOT_INITIALIZED;
}

bool known(CUdevice device) {
    return device >= 0 && device < devices;
}

API CUresult cuDeviceGet(CUdevice* device, int ordinal) {
    *device = ordinal;
    return known(ordinal) ? SUCCESS : INVALID_DEVICE;
}

API CUresult cuDeviceGetName(char* name, int length, CUdevice device) {
    snprintf(name, length, "fake GPU (CPU emulation, tests only)");
    return known(device) ? SUCCESS : INVALID_DEVICE;
}

API CUresult cuDeviceTotalMem_v2(size_t* bytes, CUdevice device) {
    *bytes = memoryBytes;
    return known(device) ? SUCCESS : INVALID_DEVICE;
}

API CUresult cuDevicePrimaryCtxRetain(Context** context, CUdevice device) {
    LOCKED;
    if (!initialised) {
        return refuse(NOT_INITIALIZED, __func__, "cuInit was not called");
    }
    primary.retained++;
    *context = &primary;
    return known(device) ? SUCCESS : INVALID_DEVICE;
}

API CUresult cuDevicePrimaryCtxRelease_v2(CUdevice device) {
    LOCKED;
    if (!known(device) || primary.retained == 0) {
        return refuse(INVALID_CONTEXT, __func__, "not the primary context, or not retained");
    }
    if (--primary.retained == 0) {
        releaseAll();  // as the driver destroys the context and everything in it
        sticky = SUCCESS;
    }
    return SUCCESS;
}

API CUresult cuCtxSetCurrent(Context* context) {
    if (context != nullptr && context != &primary) {
        return refuse(INVALID_CONTEXT, __func__, "not the primary context, or not retained");
    }
    current = context;
    return SUCCESS;
}

API CUresult cuCtxSynchronize() {
    LOCKED;
    TRY(forbiddenWhileThisThreadCaptures(__func__))
    for (Stream* s : streams) {
        release(s, SIZE_MAX, nullptr);  // a forked stream's work, after the other streams' (already run)
    }
    return usable(__func__);
}

API CUresult cuEventCreate(Event** e, unsigned flags) {
    LOCKED;
    TRY(usable(__func__))
    *e = new Event();
    events.push_back(*e);
    return flags <= 2 ? SUCCESS : INVALID_VALUE;
}

API CUresult cuEventDestroy_v2(Event* e) {
    LOCKED;
    TRY(find(__func__, events, "no such event", e, e))
    events.erase(std::find(events.begin(), events.end(), e));
    delete e;
    return usable(__func__);
}

API CUresult cuEventRecord(Event* e, Stream* handle) {
    LOCKED;
    STREAM(handle, s);
    TRY(find(__func__, events, "no such event", e, e))
    *e = Event{s, s->released + s->held.size(), captureOf(s)};
    return SUCCESS;
}

// The host waiting on an event: the ops before it are run already, or held by a forked stream, which runs them now.
API CUresult cuEventSynchronize(Event* e) {
    LOCKED;
    TRY(find(__func__, events, "no such event", e, e))
    TRY(forbiddenWhileThisThreadCaptures(__func__))
    if (e->capture != nullptr) {
        return refuse(ILLEGAL_STATE, __func__, "an event recorded in a capture");
    }
    if (e->stream != nullptr && std::find(streams.begin(), streams.end(), e->stream) != streams.end() && e->stream->forked) {
        release(e->stream, e->upto, nullptr);
    }
    return usable(__func__);
}

// A stream waiting on an event another stream recorded: a join where that stream is forked (it takes that stream's
// ops before the event), else a fork (its own ops are held, and go into the capture the event was recorded in).
API CUresult cuStreamWaitEvent(Stream* handle, Event* e, unsigned flags) {
    LOCKED;
    STREAM(handle, s);
    TRY(find(__func__, events, "no such event", e, e))
    if (flags != 0) {
        return refuse(INVALID_VALUE, __func__, "flags");
    }
    if (e->stream == nullptr || e->stream == s || std::find(streams.begin(), streams.end(), e->stream) == streams.end()) {
        return SUCCESS;
    }
    if (e->stream->forked) {
        release(e->stream, e->upto, s);
    } else if (!s->forked) {
        if (s->capturing || (e->capture == nullptr) != (captureOf(e->stream) == nullptr)) {
            return refuse(ILLEGAL_STATE, __func__, "a capturing stream waiting on another's event, or an event of a capture since ended");
        }
        s->forked = true;
        s->capture = e->capture;
    }
    return SUCCESS;
}

API CUresult cuStreamCreate(Stream** s, unsigned flags) {
    LOCKED;
    TRY(usable(__func__))
    *s = new Stream();
    streams.push_back(*s);
    return flags == 0 ? SUCCESS : INVALID_VALUE;
}

API CUresult cuStreamDestroy_v2(Stream* handle) {
    LOCKED;
    Stream* s;
    TRY(find(__func__, handle, s))
    streams.erase(std::find(streams.begin(), streams.end(), s));
    delete s;
    return usable(__func__);
}

API CUresult cuStreamSynchronize(Stream* handle) {
    LOCKED;
    Stream* s;
    TRY(find(__func__, handle, s))
    TRY(forbiddenWhileCapturing(s, __func__))
    release(s, SIZE_MAX, nullptr);
    return usable(__func__);
}

API CUresult cuModuleLoadData(Module** module, const void* image) {
    LOCKED;
    TRY(usable(__func__))
    std::string ptx((const char*)image);
    size_t v = ptx.find("\n.version ");
    if (v == std::string::npos) {
        return refuse(INVALID_VALUE, __func__, "bad argument");
    }
    // PTX ISA x.y came with CUDA (x + 4).y (from 7.0 to 8.5, and 9.0): a driver runs its own ISA and older ones
    int major = 0, minor = 0;
    sscanf(ptx.c_str() + v + 10, "%d.%d", &major, &minor);
    if ((major + 4) * 1000 + minor * 10 > driverVersion) {
        return refuse(UNSUPPORTED_PTX_VERSION, __func__, "the PTX is newer than this driver (FAKE_CUDA_DRIVER_VERSION)");
    }
    size_t t = ptx.find("\n.target sm_");
    if (t == std::string::npos || atoi(ptx.c_str() + t + 12) > computeCapability) {
        return refuse(INVALID_PTX, __func__, "the PTX targets a newer GPU than this one (FAKE_CUDA_COMPUTE_CAPABILITY)");
    }
    Module* m = new Module();
    for (size_t e = ptx.find(".entry "); e != std::string::npos; e = ptx.find(".entry ", e + 1)) {
        size_t start = e + 7;
        std::string name = ptx.substr(start, ptx.find('(', start) - start);
        m->entries.push_back(name);
        size_t cluster = ptx.find(".reqnctapercluster ", start);
        if (cluster != std::string::npos && cluster < ptx.find('{', start)) {
            m->clusterWidths[name] = atoi(ptx.c_str() + cluster + 19);
        }
    }
    *module = m;
    return SUCCESS;
}

API CUresult cuModuleGetFunction(Function** function, Module* module, const char* name) {
    LOCKED;
    TRY(usable(__func__))
    auto& entries = module->entries;
    auto k = kernels().find(name);
    if (std::find(entries.begin(), entries.end(), name) == entries.end() || k == kernels().end()) {
        return refuse(NOT_FOUND, __func__, name);
    }
    auto width = module->clusterWidths.find(name);
    k->second.clusterWidth = width == module->clusterWidths.end() ? 0 : width->second;
    k->second.faults = faultKernel == name;
    k->second.hangs = hangKernel == name;
    *function = &k->second;
    return SUCCESS;
}

constexpr int FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8;
constexpr int FUNC_ATTRIBUTE_NON_PORTABLE_CLUSTER_SIZE_ALLOWED = 14;

API CUresult cuFuncSetAttribute(Function* f, int attribute, int value) {
    LOCKED;
    TRY(usable(__func__))
    if (f == nullptr) {
        return refuse(INVALID_HANDLE, __func__, "no function");
    }
    switch (attribute) {
    case FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES:
        if (value < 0 || (size_t)value > SHARED_PER_BLOCK_OPTIN) {
            return refuse(INVALID_VALUE, __func__, "more dynamic shared memory than a block may have");
        }
        f->maxDynamicShared = value;
        return SUCCESS;
    case FUNC_ATTRIBUTE_NON_PORTABLE_CLUSTER_SIZE_ALLOWED:
        f->nonPortableCluster = value != 0;
        return SUCCESS;
    default: return refuse(INVALID_VALUE, __func__, "an attribute the stand-in does not set");
    }
}

API CUresult cuModuleUnload(Module* module) {
    LOCKED;
    delete module;
    return usable(__func__);
}

API CUresult cuMemAlloc_v2(CUdeviceptr* p, size_t bytes) {
    LOCKED;
    TRY(forbiddenWhileThisThreadCaptures(__func__))
    TRY(usable(__func__))
    if (bytes == 0) {
        return refuse(INVALID_VALUE, __func__, "bad argument");
    }
    size_t rounded = (bytes + 255) / 256 * 256;
    if (allocated + rounded > memoryBytes) {
        return refuse(OUT_OF_MEMORY, __func__, "more than FAKE_CUDA_MEMORY_MIB");
    }
    void* m = aligned_alloc(256, rounded + GUARD_BYTES);
    if (m == nullptr) {
        return refuse(OUT_OF_MEMORY, __func__, "the host is out of memory");
    }
    memset(m, 0xFF, rounded);  // device memory starts as garbage (NaN as floats), not zeros
    auto [from, to] = guardOf((uintptr_t)m, bytes);
    std::fill(from, to, GUARD_WORD);
    allocations[(uintptr_t)m] = bytes;
    allocated += rounded;
    *p = (CUdeviceptr)m;
    return SUCCESS;
}

API CUresult cuMemFree_v2(CUdeviceptr p) {
    LOCKED;
    auto a = allocations.find((uintptr_t)p);
    if (a == allocations.end()) {
        return refuse(INVALID_VALUE, __func__, "not an allocation");
    }
    allocated -= (a->second + 255) / 256 * 256;
    allocations.erase(a);
    free((void*)p);
    return usable(__func__);
}

API CUresult cuMemAllocHost_v2(void** p, size_t bytes) {
    LOCKED;
    TRY(forbiddenWhileThisThreadCaptures(__func__))
    TRY(usable(__func__))
    if (bytes == 0) {
        return refuse(INVALID_VALUE, __func__, "bad argument");
    }
    size_t locked = 0;
    for (auto& [q, n] : hostAllocations) {
        locked += n;
    }
    if (bytes > hostBytes - locked) {
        return refuse(OUT_OF_MEMORY, __func__, "more than FAKE_CUDA_HOST_MIB");
    }
    void* m = malloc(bytes);
    if (m == nullptr) {
        return refuse(OUT_OF_MEMORY, __func__, "the host is out of memory");
    }
    memset(m, 0xFF, bytes);
    hostAllocations[m] = bytes;
    *p = m;
    return SUCCESS;
}

API CUresult cuMemFreeHost(void* p) {
    LOCKED;
    if (hostAllocations.erase(p) == 0) {
        return refuse(INVALID_VALUE, __func__, "not a page-locked host allocation");
    }
    free(p);
    return usable(__func__);
}

API CUresult cuMemGetInfo_v2(size_t* freeBytes, size_t* total) {
    LOCKED;
    *freeBytes = memoryBytes - allocated;
    *total = memoryBytes;
    return usable(__func__);
}

// A synchronous call on device memory: done now, where synchronous() lets it.
template <class Op> CUresult now(const char* call, const void* device, size_t bytes, Op op) {
    CUresult rc = synchronous(call, device, bytes);
    if (rc == SUCCESS) {
        op();
    }
    return rc;
}

API CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void* src, size_t bytes) {
    LOCKED;
    return now(__func__, (void*)dst, bytes, [&] { memcpy((void*)dst, src, bytes); });
}

API CUresult cuMemcpyDtoH_v2(void* dst, CUdeviceptr src, size_t bytes) {
    LOCKED;
    return now(__func__, (void*)src, bytes, [&] { memcpy(dst, (void*)src, bytes); });
}

API CUresult cuMemsetD8_v2(CUdeviceptr dst, unsigned char value, size_t count) {
    LOCKED;
    return now(__func__, (void*)dst, count, [&] { memset((void*)dst, value, count); });
}

API CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned value, size_t count, Stream* handle) {
    LOCKED;
    STREAM(handle, s);
    if (dst % 4 != 0 || !inAllocation((void*)dst, count * 4)) {
        return refuse(INVALID_VALUE, __func__, "outside every allocation");
    }
    return submit(s, {[dst, value, count] { std::fill_n((unsigned*)dst, count, value); }, false});
}

// The device's shape for occupancy: as a Turing GPU's SM (1024 threads), two of them.
constexpr int MULTIPROCESSORS = 2;
constexpr int THREADS_PER_MULTIPROCESSOR = 1024;
constexpr int ATTRIBUTE_MULTIPROCESSOR_COUNT = 16;
constexpr int ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
constexpr int ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
constexpr int ATTRIBUTE_COOPERATIVE_LAUNCH = 95;
constexpr int ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN = 97;
constexpr int ATTRIBUTE_CLUSTER_LAUNCH = 120;

API CUresult cuDeviceGetAttribute(int* value, int attribute, CUdevice device) {
    if (!known(device)) {
        return INVALID_DEVICE;
    }
    switch (attribute) {
    case ATTRIBUTE_MULTIPROCESSOR_COUNT: *value = MULTIPROCESSORS; return SUCCESS;
    case ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR: *value = computeCapability / 10; return SUCCESS;
    case ATTRIBUTE_COMPUTE_CAPABILITY_MINOR: *value = computeCapability % 10; return SUCCESS;
    case ATTRIBUTE_COOPERATIVE_LAUNCH: *value = cooperativeLaunch; return SUCCESS;
    case ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN: *value = (int)SHARED_PER_BLOCK_OPTIN; return SUCCESS;
    case ATTRIBUTE_CLUSTER_LAUNCH: *value = computeCapability >= 90; return SUCCESS;
    default: return refuse(INVALID_VALUE, __func__, "an attribute the stand-in does not know");
    }
}

API CUresult cuOccupancyMaxActiveBlocksPerMultiprocessor(int* blocks, Function* f, int blockSize, size_t sharedBytes) {
    LOCKED;
    TRY(usable(__func__))
    if (f == nullptr || blockSize <= 0 || blockSize > 1024 || sharedBytes > 48 * 1024) {
        return refuse(INVALID_VALUE, __func__, "bad argument");
    }
    *blocks = THREADS_PER_MULTIPROCESSOR / blockSize;
    return SUCCESS;
}

// cuLaunchKernel and cuLaunchCooperativeKernel: the same checks; a cooperative grid must fit on the device at once.
CUresult launchKernel(const char* call, Function* f, Dim3 grid, Dim3 block, unsigned sharedBytes, Stream* handle, void** params,
                      void** extra, bool cooperative) {
    STREAM(handle, s);
    // the limits of every GPU since sm_30
    if (grid.x == 0 || grid.y == 0 || grid.z == 0 || grid.x > 0x7fffffffu || grid.y > 65535 || grid.z > 65535 || block.x == 0
        || block.y == 0 || block.z == 0 || block.x > 1024 || block.y > 1024 || block.z > 64 || (size_t)block.x * block.y * block.z > 1024
        || params == nullptr || extra != nullptr) {
        return refuse(INVALID_VALUE, call, "a grid or block no GPU launches");
    }
    if (sharedBytes > f->maxDynamicShared) {
        return refuse(INVALID_VALUE, call, "more dynamic shared memory than the function is allowed (cuFuncSetAttribute)");
    }

    size_t threads = (size_t)block.x * block.y * block.z;
    if (cooperative && (!cooperativeLaunch || cooperativeRefused)) {
        return refuse(NOT_SUPPORTED, call, "no cooperative launch here (FAKE_CUDA_COOPERATIVE)");
    }
    if (cooperative && (size_t)grid.x * grid.y * grid.z > MULTIPROCESSORS * (THREADS_PER_MULTIPROCESSOR / threads)) {
        return refuse(COOPERATIVE_LAUNCH_TOO_LARGE, call, "more blocks than the device holds at once");
    }
    if (f->clusterWidth > 0) {
        if (cooperative || clustersRefused) {
            return refuse(NOT_SUPPORTED, call, cooperative ? "a cooperative launch of thread block clusters" : "no clusters here (FAKE_CUDA_CLUSTERS)");
        }
        int most = f->nonPortableCluster && !portableClustersOnly ? MAX_CLUSTER : PORTABLE_CLUSTER;
        if (f->clusterWidth > most || grid.x % f->clusterWidth != 0 || grid.y != 1 || grid.z != 1) {
            return refuse(INVALID_CLUSTER_SIZE, call, "a cluster's size the function is not allowed or the device does not hold, or a grid not of whole clusters");
        }
        if (grid.x != (unsigned)f->clusterWidth) {
            return refuse(NOT_SUPPORTED, call, "the stand-in runs one cluster a launch");
        }
    }
    if (f->faults && (faultParameter < 0 || *static_cast<int*>(params[faultParameter]) != 0)) {  // as the kernel's fault when it runs, reported by the call then or the next
        return submit(s, {[] {
                              sticky = ILLEGAL_ADDRESS;
                              fprintf(stderr, "fake libcuda: kernel %s faults (FAKE_CUDA_FAULT_KERNEL)\n", faultKernel.c_str());
                          },
                          true});
    }
    if (f->hangs) {  // the process goes on waiting for it until it is killed
        return submit(s, {[] {
                              fprintf(stderr, "fake libcuda: kernel %s never ends (FAKE_CUDA_HANG_KERNEL)\n", hangKernel.c_str());
                              fflush(stderr);
                              for (;;) {
                                  std::this_thread::sleep_for(std::chrono::hours(1));
                              }
                          },
                          true});
    }
    std::function<void()> bound = f->bind(params);
    if (!bound) {
        sticky = ILLEGAL_ADDRESS;  // as the kernel's fault, reported by this call or the next
        refuse(ILLEGAL_ADDRESS, call, "a pointer argument outside every allocation");
        return SUCCESS;
    }
    if (cooperative || f->clusterWidth > 0) {  // the emulator's cluster is a cooperative launch's grid
        return submit(s, {[bound, grid, block, sharedBytes] { launch_cooperative(grid, block, bound, sharedBytes); }, true});
    }
    return submit(s, {[bound, grid, block, sharedBytes] { launch(grid, block, bound, sharedBytes); }, true});
}

API CUresult cuLaunchKernel(Function* f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                            unsigned sharedBytes, Stream* handle, void** params, void** extra) {
    LOCKED;
    return launchKernel(__func__, f, {gx, gy, gz}, {bx, by, bz}, sharedBytes, handle, params, extra, false);
}

API CUresult cuLaunchCooperativeKernel(Function* f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                                       unsigned sharedBytes, Stream* handle, void** params) {
    LOCKED;
    return launchKernel(__func__, f, {gx, gy, gz}, {bx, by, bz}, sharedBytes, handle, params, nullptr, true);
}

API CUresult cuStreamBeginCapture_v2(Stream* handle, int mode) {
    LOCKED;
    STREAM(handle, s);
    if (s->capturing || mode < 0 || mode > 2) {
        return refuse(ILLEGAL_STATE, __func__, "already capturing, or no such mode");
    }
    *s = Stream{true, false, std::this_thread::get_id(), {}};
    return SUCCESS;
}

API CUresult cuStreamEndCapture(Stream* handle, Graph** graph) {
    LOCKED;
    Stream* s;
    TRY(find(__func__, handle, s))
    if (!s->capturing) {
        return refuse(ILLEGAL_STATE, __func__, "not capturing");
    }
    bool unjoined = false;
    for (Stream* other : streams) {
        if (other != s && other->capture == s) {  // forked from this capture and never joined back
            unjoined = true;
            *other = Stream{};
        }
    }
    bool invalidated = s->invalidated || unjoined;
    *graph = invalidated ? nullptr : new Graph{std::move(s->captured)};
    *s = Stream{};
    if (unjoined) {
        return refuse(CAPTURE_UNJOINED, __func__, "a stream forked from the capture was not joined back");
    }
    return invalidated ? CAPTURE_INVALIDATED : usable(__func__);
}

API CUresult cuGraphInstantiateWithFlags(Graph** exec, Graph* graph, unsigned long long flags) {
    LOCKED;
    if (graph == nullptr) {
        return refuse(INVALID_VALUE, __func__, "bad argument");
    }
    *exec = new Graph(*graph);
    return usable(__func__);
}

API CUresult cuGraphDestroy(Graph* graph) {
    LOCKED;
    delete graph;
    return SUCCESS;
}

API CUresult cuGraphExecDestroy(Graph* exec) {
    LOCKED;
    delete exec;
    return SUCCESS;
}

API CUresult cuGraphLaunch(Graph* exec, Stream* handle) {
    LOCKED;
    if (exec == nullptr) {
        return refuse(INVALID_HANDLE, __func__, "no graph");
    }
    STREAM(handle, s);
    for (const Op& op : exec->ops) {
        submit(s, op);
    }
    return SUCCESS;
}
