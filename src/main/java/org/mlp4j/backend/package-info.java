/**
 * Internal: the backend SPI and its discovery. Not part of mlp4j's API (that is the package {@code org.mlp4j}); it changes
 * without notice.
 */
package org.mlp4j.backend;
