package org.mlp4j.data;

import org.mlp4j.backend.Backend;
import org.mlp4j.model.Network;

/**
 * Float features (row-major, {@code features} per example) with int class labels, used as they are; {@code classes}
 * the classes' names where they have any (label i is {@code classes.get(i)}), else empty.
 */
public record Features(float[] values, int[] labels, int count, int features, java.util.List<String> classes) implements Dataset {
    public Features(float[] values, int[] labels, int count, int features) {
        this(values, labels, count, features, java.util.List.of());
    }

    public Features {
        classes = java.util.List.copyOf(classes);
        if (count < 0 || features < 1 || values.length != (long) count * features || labels.length != count) {
            throw new IllegalArgumentException(values.length + " values and " + labels.length + " labels are not " + count
                    + " examples of " + features + " features");
        }
        for (int i = 0; i < count; i++) {
            if (labels[i] < 0 || labels[i] >= 1 << 24 || !classes.isEmpty() && labels[i] >= classes.size()) {
                throw new IllegalArgumentException("label " + labels[i] + " of example " + i + " is not a class index in [0, 2^24)");
            }
        }
    }

    @Override
    public int classCount() {
        return classes.isEmpty() ? Dataset.super.classCount() : classes.size();
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
    public long digest() {
        return new DataDigest("float32", count, features).floats(values).ints(labels).value();
    }

    @Override
    public Backend.Examples upload(Backend backend) {
        return backend.upload(values, labels, count, features);
    }

    /**
     * Moves {@code valid} of the examples, drawn at random by {@code seed}, last, where a trainer takes its validation
     * examples: so a file sorted by class validates on all its classes. Both parts keep the file's order. In place, so
     * that a dataset as large as the heap allows is not copied: its arrays must be the caller's own.
     */
    public void drawValidation(int valid, long seed) {
        int[] rows = new int[count];
        for (int i = 0; i < count; i++) {
            rows[i] = i;
        }
        new org.mlp4j.model.NumpyRandom(seed).shuffle(rows);
        boolean[] drawn = new boolean[count];
        for (int i = 0; i < valid; i++) {
            drawn[rows[i]] = true;
        }
        int[] from = new int[count];  // the example that moves to each place
        int at = 0;
        for (boolean last : new boolean[] {false, true}) {
            for (int i = 0; i < count; i++) {
                if (drawn[i] == last) {
                    from[at++] = i;
                }
            }
        }
        // a cycle of the permutation at a time, its first example held aside while the others move up
        boolean[] moved = new boolean[count];
        float[] held = new float[features];
        for (int start = 0; start < count; start++) {
            if (moved[start]) {
                continue;
            }
            System.arraycopy(values, start * features, held, 0, features);
            int heldLabel = labels[start];
            int to = start;
            for (int next = from[to]; next != start; to = next, next = from[to]) {
                System.arraycopy(values, next * features, values, to * features, features);
                labels[to] = labels[next];
                moved[to] = true;
            }
            System.arraycopy(held, 0, values, to * features, features);
            labels[to] = heldLabel;
            moved[to] = true;
        }
    }

    /** The datasets one after the other, copied once; all of the first's width. */
    public static Features concat(java.util.List<Features> parts) {
        int f = parts.get(0).features();
        long count = parts.stream().mapToLong(Features::count).sum();
        float[] v = new float[org.mlp4j.util.Limits.elements(count * f, count + " examples of " + f + " features")];
        int[] l = new int[(int) count];
        int at = 0;
        for (Features part : parts) {
            System.arraycopy(part.values(), 0, v, at * f, part.count() * f);
            System.arraycopy(part.labels(), 0, l, at, part.count());
            at += part.count();
        }
        return new Features(v, l, (int) count, f, parts.get(0).classes());
    }
}
