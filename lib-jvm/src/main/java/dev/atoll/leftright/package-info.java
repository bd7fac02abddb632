/**
 * The left-right map ({@link dev.atoll.leftright.LeftRightMap}): one writer publishes batches of
 * changes, any number of readers read the last published state without locks or waits.
 */
package dev.atoll.leftright;
