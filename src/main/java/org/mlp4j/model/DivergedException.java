package org.mlp4j.model;

import org.mlp4j.util.UserError;

/** The cost became NaN or infinite: training stops rather than write a broken model. */
public class DivergedException extends UserError {
    public DivergedException(int epoch, double cost) {
        super("training diverged at epoch " + epoch + " (cost " + cost + "); try a smaller --eta; this epoch's model was not written");
    }
}
