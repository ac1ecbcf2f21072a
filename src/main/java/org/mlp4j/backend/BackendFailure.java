package org.mlp4j.backend;

/** A backend failed while running (a driver or device error); the message names the call and the error. */
public class BackendFailure extends RuntimeException {
    public BackendFailure(String message) {
        super(message);
    }
}
