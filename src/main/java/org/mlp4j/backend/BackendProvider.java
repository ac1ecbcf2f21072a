package org.mlp4j.backend;

import java.util.List;

/**
 * Finds and opens one kind of backend; registered in {@code META-INF/services} and discovered with
 * {@link java.util.ServiceLoader}, like DJL's engine providers.
 */
public interface BackendProvider {
    /** The device name users pass to {@code --device}. */
    String name();

    /** Preference for {@code --device auto}/{@code gpu}: higher wins. */
    int rank();

    /** Whether this backend computes on a GPU (candidates for {@code --device gpu}). */
    boolean gpu();

    /**
     * Lines describing what this backend would use here (devices, libraries) or why it cannot run;
     * must not throw.
     */
    List<String> describe();

    /**
     * Opens the backend.
     *
     * @param deviceIndex which device when there are several, or -1 for the default choice
     * @param gpuOnly     when true, refuse devices that are not GPUs
     * @param threads     host threads to compute with, or 0 for one per processor (backends that compute on a
     *                    device use the host only to drive it, and ignore this)
     * @throws BackendUnavailableException naming the reason when it cannot run here
     */
    Backend open(int deviceIndex, boolean gpuOnly, int threads) throws BackendUnavailableException;
}
