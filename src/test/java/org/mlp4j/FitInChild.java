package org.mlp4j;

import java.util.Arrays;

/**
 * Fits a new {@code create(1, SIZES)} on {@link ClassifierTest#points} (200 of them, widened with zeros) for 2 epochs
 * on DEVICE with OPTIMIZER, then predicts them there, printing each note, each part of an epoch, each epoch and the
 * rows predicted, or "refused: " and the exception thrown (for tests that run it in a child JVM, and for
 * ci/gpu-check.sh on each GPU). With a fourth argument, each epoch's {@code Progress} predicts them on DEVICE too,
 * while the fit's backend is open.
 */
public final class FitInChild {
    private FitInChild() {
    }

    public static void main(String[] args) {
        int[] sizes = Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray();
        int[] y = new int[200];
        float[][] points = ClassifierTest.points(200, y, 1);
        float[][] x = new float[200][sizes[0]];
        for (int i = 0; i < x.length; i++) {
            System.arraycopy(points[i], 0, x[i], 0, 4);
        }
        try {
            Classifier c = Classifier.create(1, sizes);
            Progress print = new Progress() {
                @Override
                public void steps(int epoch, int done, int total) {
                    System.out.println("steps " + epoch + ": " + done + "/" + total);
                }

                @Override
                public void epoch(Epoch e) {
                    System.out.println("epoch " + e.epoch() + ": cost " + e.cost()
                            + (args.length > 3 ? ", " + c.predict(x, args[0]).length + " rows predicted on " + args[0] + " within it" : ""));
                }

                @Override
                public void note(String message) {
                    System.out.println("note: " + message);
                }
            };
            c.fit(x, y, Training.book().withEpochs(2).withBatch(10).withLearningRate(0.01f).withDevice(args[0])
                    .withOptimizer(Optimizer.valueOf(args[2].toUpperCase(java.util.Locale.ROOT))).withProgress(print));
            System.out.println("predicted " + c.predict(x, args[0]).length + " rows on " + args[0]);
        } catch (RuntimeException e) {
            System.out.println("refused: " + e);
        }
    }
}
