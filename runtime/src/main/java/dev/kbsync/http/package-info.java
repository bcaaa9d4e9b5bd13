/** What the coordinator's and the worker's HTTP servers check before their routers. */
package dev.kbsync.http;
