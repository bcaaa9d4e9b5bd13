/**
 * JUnit 5 fixtures that give tests real, private infrastructure: a Redis per test class, Sentinel groups, Clusters,
 * bare git remotes.
 */
package dev.kbsync.testing;
