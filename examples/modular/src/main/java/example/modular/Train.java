package example.modular;

import java.util.ArrayList;
import java.util.List;
import org.mlp4j.Classifier;
import org.mlp4j.Epoch;
import org.mlp4j.Progress;
import org.mlp4j.Training;

/** Trains on the device its argument names and says which trained; exits 1 if another did (the cpu instead, say). */
public class Train {
    public static void main(String[] args) {
        String device = args.length > 0 ? args[0] : "auto";
        java.util.Random random = new java.util.Random(5);
        float[][] x = new float[300][];
        int[] y = new int[300];
        for (int i = 0; i < x.length; i++) {
            y[i] = i % 3;
            x[i] = new float[] {(float) random.nextGaussian() + (y[i] == 1 ? 3 : 0), (float) random.nextGaussian() + (y[i] == 2 ? 3 : 0)};
        }
        List<String> notes = new ArrayList<>();
        Progress record = new Progress() {
            @Override
            public void note(String message) {
                notes.add(message);
            }
        };
        Classifier model = Classifier.create(1, 2, 8, 3);
        List<Epoch> history = model.fit(x, y, Training.book().withEpochs(20).withBatch(10).withLearningRate(0.01f).withDevice(device)
                .withProgress(record));
        notes.forEach(n -> System.out.println(device + ": note: " + n));
        System.out.printf("%s: %s, train accuracy %.2f after %d epochs%n", device, model, history.get(history.size() - 1).trainAccuracy(),
                history.size());
        boolean asked = device.equals("auto") || notes.get(notes.size() - 1).startsWith("device: " + device + ": ");
        System.exit(asked ? 0 : 1);
    }
}
