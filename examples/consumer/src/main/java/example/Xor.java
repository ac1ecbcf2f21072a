package example;

import java.util.Arrays;
import java.util.List;
import org.mlp4j.Classifier;
import org.mlp4j.Epoch;
import org.mlp4j.Training;

/** XOR of two noisy inputs, which no linear model separates: one hidden layer learns it. Exits 1 if it did not. */
public class Xor {
    public static void main(String[] args) {
        java.util.Random random = new java.util.Random(3);
        float[][] x = new float[400][];
        int[] y = new int[400];
        for (int i = 0; i < x.length; i++) {
            int a = i % 2, b = i / 2 % 2;
            x[i] = new float[] {a + (float) random.nextGaussian() * 0.1f, b + (float) random.nextGaussian() * 0.1f};
            y[i] = a ^ b;
        }
        Classifier model = Classifier.create(2, 2, 8, 2);
        List<Epoch> history = model.fit(x, y, Training.book().withEpochs(300).withBatch(4).withLearningRate(0.1f).withL2(0f));
        int[] predicted = model.predict(x);
        long right = java.util.stream.IntStream.range(0, y.length).filter(i -> predicted[i] == y[i]).count();
        System.out.printf("xor: cost %.3f -> %.3f, accuracy %.3f, p(1 | 0.9, 0.1) = %s%n", history.get(0).cost(),
                history.get(history.size() - 1).cost(), right / (double) y.length, Arrays.toString(model.predictProba(new float[] {0.9f, 0.1f})));
        System.exit(right == y.length ? 0 : 1);
    }
}
