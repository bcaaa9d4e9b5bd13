/** Domain records shared by coordinator and workers: KB ids, jobs, their payloads and outcomes, with JSON codecs. */
package dev.kbsync.api;
