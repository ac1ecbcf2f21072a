/**
 * Internal: files, size limits, user errors and the build's identity shared by the other packages. Not part of mlp4j's API (that is the package {@code org.mlp4j}); it changes
 * without notice.
 */
package org.mlp4j.util;
