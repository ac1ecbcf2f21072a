/**
 * mlp4j's API: {@link org.mlp4j.Classifier} (build, train, predict, save and load a multilayer perceptron),
 * {@link org.mlp4j.Training} (how it trains, on which device), {@link org.mlp4j.Progress},
 * {@link org.mlp4j.Epoch}, {@link org.mlp4j.Mnist} (the book's dataset as float rows, and pictures of digits
 * made into such rows) and {@link org.mlp4j.Table} (examples of one's own, read from a CSV file). Every other package
 * of mlp4j is internal.
 */
package org.mlp4j;
