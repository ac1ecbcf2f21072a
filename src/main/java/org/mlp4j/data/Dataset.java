package org.mlp4j.data;

import org.mlp4j.backend.Backend;
import org.mlp4j.model.Network;

/** Labelled examples a network trains on or predicts: uint8 {@link Images} or float {@link Features}. */
public interface Dataset {
    int count();

    /** Values per example. */
    int features();

    /** What a network trained on it takes. */
    Network.Input input();

    /** Example i's class. */
    int label(int i);

    /** What tells these examples from others of the same count and width ({@link DataDigest}); never 0. */
    long digest();

    /** The whole dataset, resident on {@code backend} for its gathers. */
    Backend.Examples upload(Backend backend);

    /** The classes' names, label i's at i; empty where the labels are all there is. */
    default java.util.List<String> classes() {
        return java.util.List.of();
    }

    /** One more than the largest label. */
    default int classCount() {
        int max = 0;
        for (int i = 0; i < count(); i++) {
            max = Math.max(max, label(i));
        }
        return max + 1;
    }
}
