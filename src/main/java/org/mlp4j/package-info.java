/**
 * mlp4j's API: {@link org.mlp4j.Classifier} (build, train, predict, save and load a multilayer perceptron),
 * {@link org.mlp4j.Training} (how it trains, on which device), {@link org.mlp4j.Progress} and
 * {@link org.mlp4j.Epoch}. Every other package of mlp4j is internal.
 */
package org.mlp4j;
