package dev.kbsync.api.client;

import dev.kbsync.api.InvalidInputException;
import dev.kbsync.api.KbId;
import dev.kbsync.api.ReadQuery;
import dev.kbsync.api.RelativePath;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The paths of the API's routes as {@link AsyncKbsyncClient} calls them: ids and file paths safely encoded. The
 * coordinator resolves dot segments ({@code .}, {@code ..}, also percent-encoded) before it routes a request, so none
 * is ever sent: a file path, a tree's prefix and a log's path that {@link RelativePath#check} refuses (as the
 * coordinator does), and an id that is {@code .} or {@code ..}, are refused here with an
 * {@link InvalidInputException} before anything is sent (else {@code x/../../../team-b/files/secret.md} read another
 * KB's file through this KB's route).
 */
final class ApiPaths {
    private ApiPaths() {}

    /** {@code /v1/kbs/{kb}} followed by {@code rest}. */
    static String kb(KbId kb, String rest) {
        return "/v1/kbs/" + kb.value() + rest;
    }

    /** {@code /v1/admin/kbs/{kb}} followed by {@code rest}. */
    static String admin(KbId kb, String rest) {
        return "/v1/admin/kbs/" + kb.value() + rest;
    }

    /** {@code /v1/jobs/{id}} followed by {@code rest}. */
    static String job(String jobId, String rest) {
        return "/v1/jobs/" + id("INVALID_JOB_ID", "job id", jobId) + rest;
    }

    /** {@code /v1/leases/{id}} followed by {@code rest}. */
    static String lease(String leaseId, String rest) {
        return "/v1/leases/" + id("INVALID_LEASE_ID", "lease id", leaseId) + rest;
    }

    /** {@code /v1/workers/{id}} followed by {@code rest}. */
    static String worker(String workerId, String rest) {
        return "/v1/workers/" + id("INVALID_WORKER", "worker id", workerId) + rest;
    }

    /** {@code /v1/events?job=a,b,c}. */
    static String jobsEvents(List<String> jobIds) {
        return "/v1/events?job="
                + String.join(",", jobIds.stream().map(ApiPaths::segment).toList());
    }

    /** {@code /v1/events?user=u}. */
    static String userEvents(String user) {
        return "/v1/events?user=" + URLEncoder.encode(user, StandardCharsets.UTF_8);
    }

    /**
     * {@code /v1/kbs/{kb}/files/{path}}, each of the path's segments encoded, and the query; a path
     * {@link RelativePath#check} refuses (a dot segment, an empty one, an absolute path) is refused.
     */
    static String file(KbId kb, String path, ReadQuery query) {
        RelativePath.check(path);
        StringBuilder out = new StringBuilder("/v1/kbs/").append(kb.value()).append("/files");
        for (String part : path.split("/", -1)) {
            out.append('/').append(segment(part));
        }
        return out.append(query.queryString(Map.of())).toString();
    }

    /**
     * {@code /v1/kbs/{kb}/tree?prefix=} (null or empty prefix: none) and the query; a prefix the coordinator refuses
     * ({@link RelativePath#check}, after one trailing {@code /}) is refused.
     */
    static String tree(KbId kb, String prefix, ReadQuery query) {
        if (prefix != null && !prefix.isEmpty()) {
            RelativePath.check(prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix);
        }
        Map<String, String> params = new LinkedHashMap<>();
        params.put("prefix", prefix == null || prefix.isEmpty() ? null : prefix);
        return kb(kb, "/tree" + query.queryString(params));
    }

    /**
     * {@code /v1/kbs/{kb}/log?path=&limit=} (null path: none) and the query; a path the coordinator refuses
     * ({@link RelativePath#check}) is refused.
     */
    static String log(KbId kb, String path, int limit, ReadQuery query) {
        if (path != null) {
            RelativePath.check(path);
        }
        Map<String, String> params = new LinkedHashMap<>();
        params.put("path", path);
        params.put("limit", Integer.toString(limit));
        return kb(kb, "/log" + query.queryString(params));
    }

    /** {@code id} as a path segment; {@code .} or {@code ..} (which the coordinator would resolve) is refused. */
    private static String id(String code, String what, String id) {
        if (id.equals(".") || id.equals("..")) {
            throw new InvalidInputException(code, what + " must not be '" + id + "': it would reach another route");
        }
        return segment(id);
    }

    /** A path segment: ids outside the API's id alphabet are percent-encoded, so they can never reach another route. */
    static String segment(String id) {
        StringBuilder out = new StringBuilder(id.length());
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || "._~:@-".indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%').append(String.format(Locale.ROOT, "%02X", b & 0xff));
            }
        }
        return out.toString();
    }
}
