package dev.kbsync.git;

import dev.kbsync.git.paths.SafePaths;
import dev.kbsync.kb.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jgit.api.Status;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.JGitInternalException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;

/** Staging ({@code add -A}, single files) and committing with trailers. */
final class CommitOperation {
    private final Checkout checkout;
    private final ChangedFiles changedFiles;

    CommitOperation(Checkout checkout, ChangedFiles changedFiles) {
        this.checkout = checkout;
        this.changedFiles = changedFiles;
    }

    void add(String path) {
        SafePaths safe = SafePaths.of(checkout.repo().getWorkTree().toPath());
        Path file = safe.resolve(path);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new InvalidInputException("FILE_NOT_FOUND", "File does not exist: " + path);
        }
        try {
            checkout.git()
                    .add()
                    .addFilepattern(safe.root().relativize(file).toString().replace('\\', '/'))
                    .call();
        } catch (GitAPIException | JGitInternalException e) {
            throw GitFailures.wrap("add", e);
        }
    }

    CommitResult commit(String message, Author author, Map<String, String> trailers) {
        String fullMessage = Trailers.append(message, trailers);
        try {
            checkout.git().add().addFilepattern(".").setAll(true).call(); // add -A: new, modified and deleted
            Status staged = checkout.git().status().call();
            if (staged.getAdded().isEmpty()
                    && staged.getChanged().isEmpty()
                    && staged.getRemoved().isEmpty()) {
                return new CommitResult.NothingToCommit();
            }
            ObjectId parent = checkout.resolve("HEAD");
            PersonIdent ident = new PersonIdent(author.name(), author.email());
            RevCommit commit = checkout.git()
                    .commit()
                    .setMessage(fullMessage)
                    .setAuthor(ident)
                    .setCommitter(ident)
                    .setSign(false)
                    .setNoVerify(true)
                    .call();
            String from = parent == null ? null : parent.name();
            return new CommitResult.Committed(commit.name(), changedFiles.between(from, commit.name()));
        } catch (GitAPIException | IOException | JGitInternalException e) {
            throw GitFailures.wrap("commit", e);
        }
    }
}
