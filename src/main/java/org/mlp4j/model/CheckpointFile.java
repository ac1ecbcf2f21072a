package org.mlp4j.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.mlp4j.util.AtomicFiles;
import org.mlp4j.util.UserError;

/**
 * {@code checkpoint.npz}: a {@link Trainer.Checkpoint} as an .npz that NumPy reads too. It holds the model's
 * arrays (as {@link ModelFile}), plus {@code settings_i8} [epochs, batch, seed, examples, valid, mean gradient
 * (0 or 1), patience, optimizer (0 sgd, 1 momentum, 2 nesterov, 3 adam), schedule (0 constant, 1 step, 2
 * inverse, 3 cosine), step every], {@code settings_f4} [eta, l2, momentum, beta1, beta2, step gamma, inverse
 * decay], the optimizer's state {@code opt_s1_w0}, {@code opt_s2_b0}, ... (velocity or Adam's moments),
 * {@code data_i8} [the digest of the examples it trains on, {@link org.mlp4j.data.Dataset#digest}; 0 where a checkpoint
 * written before digests has none], {@code position_i8} [epoch, step], the shuffling stream
 * {@code rng_mt} (int32, 624), {@code rng_pos_i8} [position, has_gauss] and {@code rng_gauss} (float64, 1),
 * {@code history} (float64, epochs x 5: epoch, cost, train and validation accuracy, seconds), and with early
 * stopping the best epoch so far, {@code best_epoch_i8} [epoch], and its model's arrays prefixed {@code best_}.
 * {@code tune_i8} (choices x 5: part (0 output step, 1 hidden step, 2 whole steps, 3 forward product, 4
 * backward product), rows, k, cols (for whole steps, which of their ways), folded (0 or 1; for a product, k split)) holds how a backend ran the steps
 * ({@link org.mlp4j.backend.Backend.Choice}), so a resumed run runs them the same way, and {@code tuned_on} (unicode, 1)
 * the backend that chose them ({@code cpu}, {@code cuda}, {@code opencl}): another resuming the run chooses its own (a
 * checkpoint without it: its choices are kept wherever it resumes).
 * A checkpoint of fewer settings (written before the others existed) has the book's for those missing.
 */
public final class CheckpointFile {
    private CheckpointFile() {
    }

    /** Whether a run that writes its checkpoint every {@code every} epochs (0: never) does so after {@code epoch}; its end writes the last. */
    public static boolean due(int epoch, int every, int epochs) {
        return every > 0 && epoch % every == 0 && epoch < epochs;
    }

    public static void save(Trainer.Checkpoint c, Path file) {
        Map<String, Npz.Array> a = ModelFile.arrays(c.network());
        Hyperparameters hp = c.hp();
        Hyperparameters.Optimization o = hp.optimization();
        a.put("settings_i8", longs(hp.epochs(), hp.batch(), hp.seed(), c.examples(), c.valid(), hp.meanGradient() ? 1 : 0, hp.patience(),
                o.optimizer().ordinal(), o.schedule().ordinal(), o.every()));
        a.put("settings_f4", new Npz.Array(new int[] {7}, new float[] {hp.eta(), hp.l2(), o.momentum(), o.beta1(), o.beta2(), o.gamma(), o.decay()}));
        c.optimizerState().forEach((name, v) -> a.put(OPTIMIZER + name, new Npz.Array(new int[] {v.length}, v.clone())));
        a.put("data_i8", longs(c.dataDigest()));
        a.put("position_i8", longs(c.epoch(), c.step()));
        a.put("rng_mt", new Npz.Array(new int[] {c.random().mt().length}, c.random().mt().clone()));
        a.put("rng_pos_i8", longs(c.random().position(), c.random().hasGauss() ? 1 : 0));
        a.put("rng_gauss", new Npz.Array(new int[] {1}, new double[] {c.random().gauss()}));
        List<EpochResult> h = c.history();
        double[] rows = new double[h.size() * 5];
        for (int i = 0; i < h.size(); i++) {
            EpochResult r = h.get(i);
            System.arraycopy(new double[] {r.epoch(), r.cost(), r.trainAccuracy(), r.validAccuracy(), r.seconds()}, 0, rows, i * 5, 5);
        }
        a.put("history", new Npz.Array(new int[] {h.size(), 5}, rows));
        long[] choices = new long[c.choices().size() * 5];
        for (int i = 0; i < c.choices().size(); i++) {
            org.mlp4j.backend.Backend.Choice ch = c.choices().get(i);
            System.arraycopy(new long[] {ch.part().ordinal(), ch.rows(), ch.k(), ch.cols(), ch.folded() ? 1 : 0}, 0, choices, i * 5, 5);
        }
        a.put("tune_i8", new Npz.Array(new int[] {c.choices().size(), 5}, choices));
        if (c.tunedOn() != null) {
            a.put(TUNED_ON, new Npz.Array(new int[] {1}, new String[] {c.tunedOn()}));
        }
        if (c.best() != null) {
            a.put("best_epoch_i8", longs(c.best().epoch()));
            ModelFile.arrays(c.best().network()).forEach((name, array) -> a.put(BEST + name, array));
        }
        AtomicFiles.write(file, out -> Npz.write(out, a));
    }

    private static final String TUNED_ON = "tuned_on";
    private static final String BEST = "best_";
    private static final String OPTIMIZER = "opt_";

    private static Npz.Array longs(long... v) {
        return new Npz.Array(new int[] {v.length}, v);
    }

    public static Trainer.Checkpoint load(Path file) {
        Map<String, Npz.Array> a = ModelFile.readArrays(file, "checkpoint");
        try {
            Network net = ModelFile.network(a);
            long[] settings = oneOf(a, "settings_i8", 5, 7, 10).longs();
            float[] rates = oneOf(a, "settings_f4", 2, 7).floats();
            long[] position = ModelFile.sized(a, "position_i8", 2).longs();
            long[] rng = ModelFile.sized(a, "rng_pos_i8", 2).longs();
            int[] mt = ModelFile.need(a, "rng_mt").ints();
            double gauss = ModelFile.sized(a, "rng_gauss", 1).doubles()[0];
            Npz.Array hist = ModelFile.need(a, "history");
            double[] rows = hist.doubles();
            if (hist.shape().length != 2 || hist.shape()[1] != 5) {
                throw new IllegalArgumentException("history has shape " + Arrays.toString(hist.shape()));
            }
            List<EpochResult> history = new ArrayList<>();
            for (int i = 0; i < hist.shape()[0]; i++) {
                history.add(new EpochResult((int) rows[i * 5], rows[i * 5 + 1], rows[i * 5 + 2], rows[i * 5 + 3], rows[i * 5 + 4]));
            }
            Hyperparameters.Optimization o = Hyperparameters.Optimization.BOOK;
            if (settings.length == 10 && rates.length == 7) {
                o = new Hyperparameters.Optimization(code(org.mlp4j.Optimizer.values(), settings[7]), rates[2], rates[3], rates[4],
                        code(org.mlp4j.Schedule.values(), settings[8]), toInt(settings[9]), rates[5], rates[6]);
            }
            Hyperparameters hp = new Hyperparameters(toInt(settings[0]), toInt(settings[1]), rates[0], rates[1], settings[2],
                    settings.length > 5 && settings[5] != 0, settings.length > 5 ? toInt(settings[6]) : 0, o);
            java.util.Map<String, float[]> state = new java.util.HashMap<>();
            prefixed(a, OPTIMIZER).forEach((name, array) -> state.put(name, array.floats()));
            Trainer.Best best = null;
            if (a.containsKey("best_epoch_i8")) {
                Map<String, Npz.Array> b = prefixed(a, BEST);
                int bestEpoch = toInt(ModelFile.sized(a, "best_epoch_i8", 1).longs()[0]);
                if (bestEpoch < 1 || bestEpoch > history.size()) {
                    throw new IllegalArgumentException("best epoch " + bestEpoch + " is not one of its " + history.size() + " epochs");
                }
                best = new Trainer.Best(bestEpoch, ModelFile.network(b));
            }
            int epoch = toInt(position[0]);
            if (epoch != history.size() + 1 || position[1] < 0) {
                throw new IllegalArgumentException("position " + Arrays.toString(position) + " does not follow its " + history.size()
                        + " epochs of history");
            }
            List<org.mlp4j.backend.Backend.Choice> choices = new ArrayList<>();
            if (a.containsKey("tune_i8")) {
                Npz.Array t = a.get("tune_i8");
                long[] v = t.longs();
                if (t.shape().length != 2 || t.shape()[1] != 5) {
                    throw new IllegalArgumentException("tune_i8 has shape " + Arrays.toString(t.shape()));
                }
                org.mlp4j.backend.Backend.Choice.Part[] parts = org.mlp4j.backend.Backend.Choice.Part.values();
                for (int i = 0; i < t.shape()[0]; i++) {
                    if (v[i * 5] < 0 || v[i * 5] >= parts.length) {
                        throw new IllegalArgumentException("tune_i8 row " + i + " is of no known part (" + v[i * 5] + ")");
                    }
                    choices.add(new org.mlp4j.backend.Backend.Choice(parts[(int) v[i * 5]], toInt(v[i * 5 + 1]), toInt(v[i * 5 + 2]),
                            toInt(v[i * 5 + 3]), v[i * 5 + 4] != 0, Double.NaN, Double.NaN));
                }
            }
            long data = a.containsKey("data_i8") ? ModelFile.sized(a, "data_i8", 1).longs()[0] : 0;
            return new Trainer.Checkpoint(hp, toInt(settings[3]), toInt(settings[4]), data, net, epoch, toInt(position[1]),
                    new NumpyRandom.State(mt, toInt(rng[0]), rng[1] != 0, gauss), history, best, state, choices,
                    a.containsKey(TUNED_ON) ? ModelFile.sized(a, TUNED_ON, 1).strings()[0] : null);
        } catch (IllegalArgumentException e) {
            throw new UserError(file + ": unreadable checkpoint (" + e.getMessage() + ")");
        }
    }

    /** The arrays whose names start with {@code prefix}, by the rest of their names (as {@link #save} prefixes them). */
    private static Map<String, Npz.Array> prefixed(Map<String, Npz.Array> a, String prefix) {
        Map<String, Npz.Array> out = new java.util.HashMap<>();
        a.forEach((name, array) -> {
            if (name.startsWith(prefix)) {
                out.put(name.substring(prefix.length()), array);
            }
        });
        return out;
    }

    /** The array of one of the lengths {@code ns}, each an earlier or the current version's. */
    private static Npz.Array oneOf(Map<String, Npz.Array> a, String name, int... ns) {
        Npz.Array v = ModelFile.need(a, name);
        for (int n : ns) {
            if (v.shape().length == 1 && v.shape()[0] == n) {
                return v;
            }
        }
        throw new IllegalArgumentException(name + " has shape " + Arrays.toString(v.shape()) + ", not one of " + Arrays.toString(ns));
    }

    private static <E> E code(E[] values, long code) {
        if (code < 0 || code >= values.length) {
            throw new IllegalArgumentException("code " + code + " is not one of 0.." + (values.length - 1));
        }
        return values[(int) code];
    }

    private static int toInt(long v) {
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("value " + v + " out of range");
        }
        return (int) v;
    }
}
