package org.mlp4j.backend;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.mlp4j.util.Build;

/**
 * The choices a run of a network made on a device by timing its candidates ({@link Backend#tune}, whole steps and
 * their way), kept for the runs after, which take them as a resumed run takes its checkpoint's: each fused way
 * checked again, untimed. Candidates that take about as long on a device come out either way from one run to the
 * next, and they add a step's sums in other orders, so without this the same command ended in other last bits,
 * run after run; a run that takes them also skips their timing. A line a network, tab-separated: the build, the
 * device ({@link Backend#device}), the network (its layers, batch and what else picks its kernels), the date, the
 * ways of whole steps the device offered ({@link #ways}: a choice names its way by its place among them) and the
 * choices. The last line of a network is the one taken; deleting it has the next run time them again, and a build
 * of other code times every one again.
 */
public final class DeviceChoices {
    private final Path file;

    public DeviceChoices(Path file) {
        this.file = file;
    }

    /** This user's: {@code mlp4j/choices.tsv} beside {@link DeviceFaults#ofUser}'s file. */
    public static DeviceChoices ofUser() {
        return new DeviceChoices(DeviceFaults.ofUser().file().resolveSibling("choices.tsv"));
    }

    public Path file() {
        return file;
    }

    /** Choices an earlier run made, on the date it made them, among those {@link #ways} of whole steps. */
    public record Remembered(String date, String ways, List<Backend.Choice> choices) {
        public Remembered {
            choices = List.copyOf(choices);
        }
    }

    /**
     * What this build's last run of {@code network} on {@code device} chose, or null where none is remembered (no
     * file, none that can be read, or no line of this build, device and network that can be).
     */
    public Remembered find(String device, String network) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
        String key = DeviceFaults.key(device, network);
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).startsWith(key)) {
                String[] f = lines.get(i).substring(key.length()).split("\t", -1);
                List<Backend.Choice> choices = f.length == 3 ? parse(f[2]) : null;
                if (choices != null) {
                    return new Remembered(f[0], f[1], choices);
                }
            }
        }
        return null;
    }

    /**
     * Keeps {@code choices}, made among {@code ways} of whole steps ({@link #ways}), as {@code network}'s on {@code device}
     * for later runs: null where kept, else why not.
     */
    public String keep(String device, String network, String ways, List<Backend.Choice> choices) {
        StringBuilder line = new StringBuilder(DeviceFaults.key(device, network)).append(LocalDate.now(ZoneOffset.UTC)).append('\t')
                .append(DeviceFaults.field(ways)).append('\t');
        for (Backend.Choice c : choices) {
            line.append(line.charAt(line.length() - 1) == '\t' ? "" : ", ").append(c.part()).append(' ').append(c.rows()).append(' ')
                    .append(c.k()).append(' ').append(c.cols()).append(' ').append(c.folded() ? 1 : 0);
        }
        try {
            // runs at once may each add theirs, and the last is taken
            DeviceFaults.appendLine(file, line.toString());
            return null;
        } catch (IOException e) {
            return "the run's choices could not be kept for later runs (" + file + ": " + e + ")";
        }
    }

    /**
     * The ways of whole steps a device offers a network ({@link Backend.Steps} and its alternatives, in order; none where
     * it offers none) as a short text that tells them from others: a choice of whole steps names a way by its place.
     */
    public static String ways(List<Backend.Steps> ways) {
        return ways.isEmpty() ? "none" : ways.size() + " ways, " + Integer.toHexString(ways.stream().map(Object::toString).toList().hashCode());
    }

    /** How many networks this build has choices for, on any device (for {@code devices}, which opens none). */
    public long networks() {
        try {
            String build = DeviceFaults.field(Build.describe()) + "\t";
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream().filter(l -> l.startsWith(build))
                    .map(l -> l.split("\t", 4)).filter(f -> f.length == 4).map(f -> f[1] + "\t" + f[2]).distinct().count();
        } catch (IOException e) {
            return 0;
        }
    }

    /** The choices of a line, or null where it holds something else (a line of a build that stored more). */
    private static List<Backend.Choice> parse(String text) {
        List<Backend.Choice> choices = new ArrayList<>();
        try {
            for (String c : text.isEmpty() ? new String[0] : text.split(", ")) {
                String[] f = c.split(" ");
                if (f.length != 5 || !f[4].matches("[01]")) {
                    return null;
                }
                choices.add(new Backend.Choice(Backend.Choice.Part.valueOf(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]),
                        Integer.parseInt(f[3]), f[4].equals("1"), Double.NaN, Double.NaN));
            }
        } catch (IllegalArgumentException e) {
            return null;
        }
        return choices;
    }
}
