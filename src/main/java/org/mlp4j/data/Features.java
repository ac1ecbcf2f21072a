package org.mlp4j.data;

import org.mlp4j.backend.Backend;
import org.mlp4j.model.Network;

/** Float features (row-major, {@code features} per example) with int class labels, used as they are. */
public record Features(float[] values, int[] labels, int count, int features) implements Dataset {
    public Features {
        if (count < 0 || features < 1 || values.length != (long) count * features || labels.length != count) {
            throw new IllegalArgumentException(values.length + " values and " + labels.length + " labels are not " + count
                    + " examples of " + features + " features");
        }
        for (int i = 0; i < count; i++) {
            if (labels[i] < 0 || labels[i] >= 1 << 24) {
                throw new IllegalArgumentException("label " + labels[i] + " of example " + i + " is not a class index in [0, 2^24)");
            }
        }
    }

    @Override
    public Network.Input input() {
        return Network.Input.FEATURES;
    }

    @Override
    public int label(int i) {
        return labels[i];
    }

    @Override
    public Backend.Examples upload(Backend backend) {
        return backend.upload(values, labels, count, features);
    }

    /** Examples [from, to) as a new dataset. */
    public Features slice(int from, int to) {
        return new Features(java.util.Arrays.copyOfRange(values, from * features, to * features),
                java.util.Arrays.copyOfRange(labels, from, to), to - from, features);
    }

    /** This dataset followed by {@code more} (as training and validation examples for the trainer). */
    public Features concat(Features more) {
        if (more.features != features) {
            throw new IllegalArgumentException(more.features + " features after " + features);
        }
        float[] v = java.util.Arrays.copyOf(values, values.length + more.values.length);
        System.arraycopy(more.values, 0, v, values.length, more.values.length);
        int[] l = java.util.Arrays.copyOf(labels, count + more.count);
        System.arraycopy(more.labels, 0, l, count, more.count);
        return new Features(v, l, count + more.count, features);
    }
}
