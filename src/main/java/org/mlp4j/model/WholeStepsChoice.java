package org.mlp4j.model;

import java.util.ArrayList;
import java.util.List;
import org.mlp4j.backend.Backend;
import org.mlp4j.backend.Backend.Examples;
import org.mlp4j.backend.Backend.Order;
import org.mlp4j.backend.Backend.Program;
import org.mlp4j.backend.BackendFailure;
import org.mlp4j.backend.DeviceFaults;
import org.mlp4j.backend.DeviceMemoryException;
import org.mlp4j.backend.Matrix;
import org.mlp4j.backend.Timings;

/**
 * Whether a run takes a backend's whole steps ({@link Backend.Steps}), and which way of them: each way is checked
 * against the layer ops and timed beside them on a copy of the network, over the epoch's minibatch buffers, before
 * the run's programs are recorded ({@link #timed}); a way a resumed run or an earlier one kept is only checked
 * ({@link #kept}). What it finds goes into {@link #notes} (each way's time, or why it was left out) and
 * {@link #warnings} (a way this device computes wrongly).
 */
final class WholeStepsChoice {
    /**
     * Steps each way when whole steps are checked against layer-by-layer ones, and at most when they are timed (where
     * the layer ops take long over them, fewer: {@link Timings#repeats}).
     */
    static final int WHOLE_STEPS_TIMED = 20;
    /** Runs of those steps timed each way, the best kept, after one that warms both up. */
    static final int TIMED_ROUNDS = 4;
    /**
     * How far a way of whole steps may end from the layer ops after those steps from the same start, as a share of
     * the largest change the layer ops made to a parameter: sums taken in another order differ by float rounding,
     * far less (ReLU's kink and Adam's division by small gradients magnify it most); a product that is wrong
     * anywhere, far more. Where a way ends further, the layer ops run again from a start an ulp away ({@link #NUDGES}).
     */
    static final double WAYS_AGREE = 5e-2;
    /**
     * Runs of the layer ops from a start an ulp away that gauge how far rounding alone moves a network whose way
     * ended further than {@link #WAYS_AGREE}: at a large rate, ReLU units whose sums lie within rounding of 0 take
     * either side, so steps that sum in another order end as far from the layer ops as they themselves end from a
     * start that differs by rounding. A way may end {@link #ROUNDING_MARGIN} times as far as the furthest of them.
     */
    static final int NUDGES = 2;
    /** How many times as far as the layer ops end from a start an ulp away a way may end from them ({@link #NUDGES}). */
    static final double ROUNDING_MARGIN = 2;

    private final Backend backend;
    private final Hyperparameters hp;
    private final TrainingListener listener;
    private final DeviceFaults faults;
    /** The faults {@link #faults} remembers on this device, by the candidate's kind ({@link DeviceFaults#remembered}). */
    private final java.util.Map<String, String> remembered;
    private final Network initial;
    private final Examples examples;
    private final Order identity;
    private final Matrix epochX;
    private final Matrix epochY;
    /** The run's steps an epoch. */
    private final int steps;
    /** Each way of whole steps and its time, or why it was not taken. */
    final List<String> notes = new ArrayList<>();
    /** Each way left out for ending elsewhere than the layer ops. */
    final List<String> warnings = new ArrayList<>();

    /**
     * The choice for a run of {@code hp} from {@code initial} on {@code backend}, in the epoch's minibatch buffers
     * ({@code epochX}, {@code epochY}: the first of them get the data's first examples), telling {@code listener} what
     * it checks or times; the ways that faulted this device in an earlier run ({@code remembered}) are left out, and one
     * that faults it now is remembered in {@code faults}.
     */
    WholeStepsChoice(Backend backend, Hyperparameters hp, TrainingListener listener, DeviceFaults faults, java.util.Map<String, String> remembered,
            Network initial, Examples examples, Order identity, Matrix epochX, Matrix epochY, int steps) {
        this.backend = backend;
        this.hp = hp;
        this.listener = listener;
        this.faults = faults;
        this.remembered = remembered;
        this.initial = initial;
        this.examples = examples;
        this.identity = identity;
        this.epochX = epochX;
        this.epochY = epochY;
        this.steps = steps;
    }

    /**
     * Times each way of whole steps against layer-by-layer ones, each recorded as an epoch's are, on a copy
     * of the network (so the run's parameters do not move) and the epoch's minibatch buffers, which hold the
     * data's first examples; the choice names the fastest way. First each way runs once from the network's
     * start and must end where the layer ops end ({@link #disagreement}): one that does not (a kernel this
     * device computes wrongly) is out, and the run warns of it; so is a way that faulted this device in an earlier
     * run ({@link DeviceFaults}), and one that faults it now stops the run. The ways are timed over the steps they
     * were checked on, or over fewer where the layer ops took long over those ({@link Timings#repeats}). Where the
     * device has no room for the copy, the run goes layer by layer, untimed.
     */
    Backend.Choice timed() {
        Trial trial;
        try {
            trial = trial(i -> true);
        } catch (DeviceMemoryException | OutOfMemoryError e) {
            notes.add("whole steps not timed, and not taken: no device memory for the copy of the network they are timed on ("
                    + e.getMessage() + ")");
            return new Backend.Choice(Backend.Choice.Part.WHOLE, hp.batch(), initial.layers(), 0, false, Double.NaN, Double.NaN);
        }
        List<Runnable> candidates = trial.candidates();
        List<Backend.Steps> ways = trial.ways();
        boolean[] faulted = trial.unrun(); // every way is tried: one unrun faulted this device before
        Checked checked = check(trial.copy(), trial.optimizing(), candidates, ways, faulted);
        int n = Timings.repeats(trial.steps(), checked.layerOpsSeconds() / trial.steps());
        if (n < trial.steps()) {
            // the same programs over the first n minibatches, each that the check left out still failing as it does
            List<Runnable> shorter = trial.over().apply(n);
            for (int i = 1; i < shorter.size(); i++) {
                if (checked.ways()[i - 1] == null || !checked.ways()[i - 1].agrees()) {
                    shorter.set(i, candidates.get(i));
                }
            }
            candidates = shorter;
        }
        listener.settingUp(String.format(java.util.Locale.ROOT, "timing whole steps' %d ways against the layer ops", ways.size()));
        double[] t = Timings.byTurns(backend, candidates, TIMED_ROUNDS, 1);
        double[] w = java.util.Arrays.copyOfRange(t, 1, t.length);
        int fastest = Timings.fastest(w);
        for (int i = 0; i < w.length; i++) {
            String way = String.format(java.util.Locale.ROOT, "way %d of %d: %s", i + 1, w.length, ways.get(i));
            if (faulted[i]) {
                notes.add("whole steps, " + way + ": left out (it faulted this device in an earlier run)");
            } else if (checked.ways()[i] != null && !checked.ways()[i].agrees()) {
                warnings.add("whole steps, " + way + ": disagrees with the layer ops: " + checked.ways()[i] + "; not taken");
            } else if (w.length > 1) {
                notes.add("whole steps, " + way + ": " + (Double.isInfinite(w[i]) ? "failed to launch"
                        : String.format(java.util.Locale.ROOT, "%.1f us (%s)", w[i] / n * 1e6, checked.ways()[i].within())));
            }
        }
        return new Backend.Choice(Backend.Choice.Part.WHOLE, hp.batch(), initial.layers(), fastest, w[fastest] < t[0], w[fastest] / n, t[0] / n);
    }

    /**
     * The choice of whole steps {@code kept} (a resumed run's checkpoint's, or the one an earlier run of the network
     * on this device made) as it may run here, among {@code ways} (this backend's, none where it has no whole steps):
     * a checkpoint from another device may name whole steps, or a way of them, that this one lacks, and one from this
     * device a way that has faulted it since; its first way that has not then runs, or layer by layer where there is
     * none, and the run's notes and next checkpoint say so. The way is checked ({@link #checked}) unless it is the
     * device's only one, {@code untimed}.
     */
    Backend.Choice kept(Backend.Choice kept, List<Backend.Steps> ways, boolean untimed) {
        Backend.Choice whole = kept;
        if (whole.folded() && (whole.cols() >= ways.size() || remembered.containsKey(DeviceFaults.kind(ways.get(whole.cols()))))) {
            int usable = 0;
            while (usable < ways.size() && remembered.containsKey(DeviceFaults.kind(ways.get(usable)))) {
                usable++;
            }
            whole = new Backend.Choice(Backend.Choice.Part.WHOLE, whole.rows(), whole.k(), usable < ways.size() ? usable : 0,
                    usable < ways.size(), Double.NaN, Double.NaN);
        }
        if (whole.folded() && !untimed && !checked(whole.cols())) {
            whole = new Backend.Choice(Backend.Choice.Part.WHOLE, whole.rows(), whole.k(), 0, false, Double.NaN, Double.NaN);
        }
        return whole;
    }

    /**
     * Checks way {@code way} of whole steps, which a resumed run's checkpoint names, as {@link #timed}
     * checks each way (untimed): whether it may run. A way that faults the device now stops the run, and is
     * remembered, as in a run's first check; one that does not launch, or ends elsewhere than the layer ops, or
     * that the device has no room to check, is not taken (the run goes layer by layer).
     */
    private boolean checked(int way) {
        Trial trial;
        try {
            trial = trial(i -> i == way);
        } catch (DeviceMemoryException | OutOfMemoryError e) {
            notes.add("whole steps not checked, and not taken: no device memory for the copy of the network they are checked on ("
                    + e.getMessage() + ")");
            return false;
        }
        List<Backend.Steps> ways = trial.ways();
        Disagreement checked = check(trial.copy(), trial.optimizing(), trial.candidates(), ways, trial.unrun()).ways()[way];
        String name = String.format(java.util.Locale.ROOT, "whole steps, way %d of %d: %s", way + 1, ways.size(), ways.get(way));
        if (checked == null) {
            notes.add(name + ": failed to launch; not taken");
        } else if (!checked.agrees()) {
            warnings.add(name + ": disagrees with the layer ops: " + checked + "; not taken");
        } else {
            notes.add(name + ": " + checked.within() + " (not timed)");
        }
        return checked != null && checked.agrees();
    }

    /**
     * Whole steps on a copy of the network ({@link #timed}): the copy, its optimizer (or null), its
     * ways, and the programs to check (and time): the layer ops' steps, then each way's, over the first
     * {@code steps} minibatches, and {@code over} the same programs over the first of them as many as it is
     * given; a way is unrun where {@code tried} leaves it out or it faulted this device in an earlier run (its
     * program then fails).
     */
    private record Trial(DeviceNet copy, DeviceNet.Optimizing optimizing, List<Backend.Steps> ways, List<Runnable> candidates,
            boolean[] unrun, int steps, java.util.function.IntFunction<List<Runnable>> over) {
    }

    /**
     * The {@link Trial} of the ways {@code tried} takes (by their index), in the epoch's minibatch buffers, which
     * hold the data's first examples. Where the device has no room for the copy, that is thrown (on the cpu the
     * device's memory is the heap, and a copy's arrays that failed to allocate were never made; on a GPU the
     * buffers the copy got stay with the backend until it closes).
     */
    private Trial trial(java.util.function.IntPredicate tried) {
        int batch = hp.batch(), n = Math.min(steps, WHOLE_STEPS_TIMED);
        DeviceNet copy = new DeviceNet(backend, initial);
        DeviceNet.Workspace ws = copy.workspace(batch);
        // an optimizer's steps on the copy's own state, from the run's first rates
        DeviceNet.Optimizing o = hp.optimization().general() ? copy.optimizing(hp.optimization().optimizer()) : null;
        if (o != null) {
            Trainer.setRates(hp, o, 1, 0);
        }
        List<Backend.Steps> ways = ways(copy.wholeSteps(ws, o));
        // real examples, so that each product of the steps has something to get wrong
        backend.gather(examples, identity, 0, epochX.rows(0, n * batch), epochY.rows(0, n * batch));
        boolean[] unrun = new boolean[ways.size()];
        for (int i = 0; i < ways.size(); i++) {
            unrun[i] = !tried.test(i) || remembered.containsKey(DeviceFaults.kind(ways.get(i)));
        }
        java.util.function.IntFunction<List<Runnable>> over = steps -> {
            Matrix x = epochX.rows(0, steps * batch), y = epochY.rows(0, steps * batch);
            // the layer ops first: what runs where no way is faster, or none launches
            Program layered = backend.record(() -> {
                for (int s = 0; s < steps; s++) {
                    Trainer.layerStep(hp, copy, o, ws, x.rows(s * batch, batch), y.rows(s * batch, batch));
                }
            });
            List<Runnable> candidates = new ArrayList<>(List.of(layered::run));
            for (int i = 0; i < ways.size(); i++) {
                Backend.Steps way = ways.get(i);
                if (unrun[i]) {
                    BackendFailure e = new BackendFailure(tried.test(i) ? "faulted this device in an earlier run" : "not checked");
                    candidates.add(() -> {
                        throw e; // left out: timed as failing
                    });
                    continue;
                }
                try {
                    candidates.add(backend.record(() -> copy.trainSteps(way, ws, x, y, hp.eta(), hp.l2(), hp.meanGradient()))::run);
                } catch (BackendFailure e) {
                    candidates.add(() -> {
                        throw e; // the device would not launch them after all: timed as failing
                    });
                }
            }
            return candidates;
        };
        return new Trial(copy, o, ways, over.apply(n), unrun, n, over);
    }

    /**
     * What {@link #check} found: how far each way ended from the layer ops (null where it failed or was left out),
     * and the seconds the layer ops' steps took.
     */
    private record Checked(Disagreement[] ways, double layerOpsSeconds) {
    }

    /**
     * Runs each of {@code candidates} (the layer ops' steps, then each of {@code ways}) once from {@code initial}
     * (and {@code o}'s state as it is) on {@code copy}, and puts in place of each way that failed to launch or does
     * not end where the layer ops end one that fails; where a way ends further than {@link #WAYS_AGREE}, how far
     * is judged beside how far rounding moves the layer ops ({@link #rounding}). A way that faults the device now
     * stops the run, and {@link #faults} remembers it.
     */
    private Checked check(DeviceNet copy, DeviceNet.Optimizing o, List<Runnable> candidates,
            List<Backend.Steps> ways, boolean[] unrun) {
        java.util.Map<String, float[]> state = o == null ? null : o.state();
        Disagreement[] checked = new Disagreement[candidates.size() - 1];
        Network reference = null;
        double layerOpsSeconds = Double.NaN;
        for (int i = 0; i < candidates.size(); i++) {
            if (i > 0 && unrun[i - 1]) {
                continue;
            }
            Timings.stopIfAsked();
            listener.settingUp(i == 0 ? "checking whole steps: the layer ops' steps to check them against"
                    : String.format(java.util.Locale.ROOT, "checking whole steps, way %d of %d (%s)", i, ways.size(), ways.get(i - 1)));
            restart(copy, initial, o, state);
            Runnable candidate = candidates.get(i);
            long start = System.nanoTime();
            long[] ran = new long[1];
            java.util.function.Supplier<Network> run = () -> {
                candidate.run();
                backend.synchronize();
                ran[0] = System.nanoTime();
                return copy.download();
            };
            Network end;
            try {
                end = i == 0 ? run.get() : faults.check(backend, DeviceFaults.kind(ways.get(i - 1)),
                        String.format(java.util.Locale.ROOT, "whole steps, way %d of %d (%s)", i, ways.size(), ways.get(i - 1)), run);
            } catch (DeviceFaults.Fault e) {
                throw e;
            } catch (BackendFailure e) {
                if (i == 0) {
                    throw e;
                }
                candidates.set(i, () -> {
                    throw e;
                });
                continue;
            }
            if (i == 0) {
                reference = end;
                layerOpsSeconds = (ran[0] - start) / 1e9;
                continue;
            }
            checked[i - 1] = disagreement(initial, reference, end);
        }
        if (java.util.Arrays.stream(checked).anyMatch(d -> d != null && d.off() > WAYS_AGREE)) {
            double rounding = rounding(reference, copy, o, state, candidates.get(0));
            for (int i = 0; i < checked.length; i++) {
                checked[i] = checked[i] == null ? null : checked[i].besideRounding(rounding);
            }
        }
        for (int i = 0; i < checked.length; i++) {
            Disagreement d = checked[i];
            if (d != null && !d.agrees()) {
                candidates.set(i + 1, () -> {
                    throw new BackendFailure("whole steps that disagree with the layer ops: " + d);
                });
            }
        }
        return new Checked(checked, layerOpsSeconds);
    }

    /**
     * The furthest the layer ops' steps ({@code layerOps}, on {@code copy}) end from {@code reference} in
     * {@link #NUDGES} runs, each from {@code initial} {@link #nudged} (and {@code o}'s state as {@code state} holds it).
     */
    private double rounding(Network reference, DeviceNet copy, DeviceNet.Optimizing o, java.util.Map<String, float[]> state,
            Runnable layerOps) {
        double furthest = 0;
        for (int k = 1; k <= NUDGES; k++) {
            Timings.stopIfAsked();
            listener.settingUp(String.format(java.util.Locale.ROOT, "checking whole steps: the layer ops' steps from a start an ulp away, %d of %d",
                    k, NUDGES));
            restart(copy, nudged(initial, k), o, state);
            layerOps.run();
            backend.synchronize();
            furthest = Math.max(furthest, disagreement(initial, reference, copy.download()).off());
        }
        return furthest;
    }

    /** Puts {@code copy} back at {@code start}, and its optimizer {@code o} (unless null) at {@code state} and the run's first rates. */
    private void restart(DeviceNet copy, Network start, DeviceNet.Optimizing o, java.util.Map<String, float[]> state) {
        copy.set(start);
        if (o != null) {
            o.restore(state);
            Trainer.setRates(hp, o, 1, 0);
        }
    }

    /**
     * Where a way's parameters end furthest from the layer ops' ({@link #disagreement}), and how far the layer ops
     * end from their own run from a start an ulp away ({@link #NUDGES}; NaN where that was not run).
     */
    record Disagreement(double off, String where, double rounding) {
        boolean agrees() {
            return off <= bound();  // not where off is NaN
        }

        double bound() {
            return Double.isNaN(rounding) ? WAYS_AGREE : Math.max(WAYS_AGREE, ROUNDING_MARGIN * rounding);
        }

        Disagreement besideRounding(double rounding) {
            return new Disagreement(off, where, rounding);
        }

        /** How far it ends, for a way that agrees. */
        String within() {
            return String.format(java.util.Locale.ROOT, "within %.1e of the layer ops' largest change%s", off, bound() > WAYS_AGREE ? ", " + limit() : "");
        }

        /** How far it may end, and why. */
        private String limit() {
            if (bound() > WAYS_AGREE) {
                return String.format(java.util.Locale.ROOT, "at most %.1e: %.0f times as far as the layer ops end from a start an ulp away", bound(),
                        ROUNDING_MARGIN);
            }
            return String.format(java.util.Locale.ROOT, "at most %.0e", WAYS_AGREE) + (Double.isNaN(rounding) ? ""
                    : String.format(java.util.Locale.ROOT, "; from a start an ulp away, the layer ops end within %.1e", rounding));
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "%s off by %.1e of the layer ops' largest change (%s)", where, off, limit());
        }
    }

    /**
     * How far {@code end} lies from {@code reference}, both reached from {@code start}: the largest difference
     * between them in any parameter over the largest change {@code reference} made to any (or over 1e-4 of its
     * largest value, where the network hardly moved), and the array where that difference lies. Against the whole
     * network's change, not each array's: an array that hardly moves (the first layer of a deep sigmoid net)
     * differs by rounding that is large beside its own change and small beside the step's. A value that is not a
     * number where the reference's is one is off by NaN; a reference that is not finite (a diverging rate) judges
     * nothing.
     */
    static Disagreement disagreement(Network start, Network reference, Network end) {
        double change = 0, largest = 0, off = 0;
        String where = "no array";
        for (int l = 0; l < start.layers(); l++) {
            for (boolean weights : new boolean[] {true, false}) {
                float[] s = weights ? start.weights()[l] : start.biases()[l], r = weights ? reference.weights()[l] : reference.biases()[l];
                float[] e = weights ? end.weights()[l] : end.biases()[l];
                for (int i = 0; i < r.length; i++) {
                    if (!Float.isFinite(r[i])) {
                        return new Disagreement(0, "none: the layer ops diverged", Double.NaN);
                    }
                    change = Math.max(change, Math.abs((double) r[i] - s[i]));
                    largest = Math.max(largest, Math.abs(r[i]));
                    double d = Math.abs((double) e[i] - r[i]);
                    if (!(d <= off) && !Double.isNaN(off)) {  // the first NaN stays
                        off = d;
                        where = "layer " + l + (weights ? " weights" : " biases");
                    }
                }
            }
        }
        return new Disagreement(off == 0 ? 0 : off / Math.max(change, 1e-4 * largest), where, Double.NaN);
    }

    /** {@code net} with each parameter moved an ulp up or down, as {@code seed} draws: a start that differs by rounding. */
    static Network nudged(Network net, long seed) {
        Network c = net.copy();
        java.util.Random r = new java.util.Random(seed);
        for (float[][] arrays : new float[][][] {c.weights(), c.biases()}) {
            for (float[] a : arrays) {
                for (int i = 0; i < a.length; i++) {
                    a[i] = r.nextBoolean() ? Math.nextUp(a[i]) : Math.nextDown(a[i]);
                }
            }
        }
        return c;
    }
    /** Whole steps and their alternatives, in the order a {@link Backend.Choice} numbers them. */
    static List<Backend.Steps> ways(Backend.Steps steps) {
        List<Backend.Steps> all = new ArrayList<>(List.of(steps));
        all.addAll(steps.alternatives());
        return all;
    }
}
