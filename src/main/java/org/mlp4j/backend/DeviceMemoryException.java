package org.mlp4j.backend;

/** The device has too little free memory for an allocation; a caller may retry on another backend. */
public class DeviceMemoryException extends BackendFailure {
    public DeviceMemoryException(String message) {
        super(message);
    }
}
