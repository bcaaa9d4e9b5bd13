/** The {@code kbsync} command line: launcher subcommands and HTTP client commands with live queue positions. */
package dev.kbsync.cli;
