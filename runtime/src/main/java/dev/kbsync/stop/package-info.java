/** A process's stop within one bound: its deadline and how it ended (shared by the coordinator and the worker). */
package dev.kbsync.stop;
