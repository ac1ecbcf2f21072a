/**
 * Internal: the CUDA backend. Not part of mlp4j's API (that is the package {@code org.mlp4j}); it changes
 * without notice.
 */
package org.mlp4j.backend.cuda;
