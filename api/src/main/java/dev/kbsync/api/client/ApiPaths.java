package dev.kbsync.api.client;

import dev.kbsync.api.KbId;
import dev.kbsync.api.ReadQuery;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The paths of the API's routes as {@link AsyncKbsyncClient} calls them: ids and file paths safely encoded. */
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
        return "/v1/jobs/" + segment(jobId) + rest;
    }

    /** {@code /v1/leases/{id}} followed by {@code rest}. */
    static String lease(String leaseId, String rest) {
        return "/v1/leases/" + segment(leaseId) + rest;
    }

    /** {@code /v1/workers/{id}} followed by {@code rest}. */
    static String worker(String workerId, String rest) {
        return "/v1/workers/" + segment(workerId) + rest;
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

    /** {@code /v1/kbs/{kb}/files/{path}}, each of the path's segments encoded, and the query. */
    static String file(KbId kb, String path, ReadQuery query) {
        StringBuilder out = new StringBuilder("/v1/kbs/").append(kb.value()).append("/files");
        for (String part : path.split("/", -1)) {
            out.append('/').append(segment(part));
        }
        return out.append(query.queryString(Map.of())).toString();
    }

    /** {@code /v1/kbs/{kb}/tree?prefix=} (null or empty prefix: none) and the query. */
    static String tree(KbId kb, String prefix, ReadQuery query) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("prefix", prefix == null || prefix.isEmpty() ? null : prefix);
        return kb(kb, "/tree" + query.queryString(params));
    }

    /** {@code /v1/kbs/{kb}/log?path=&limit=} and the query. */
    static String log(KbId kb, String path, int limit, ReadQuery query) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("path", path);
        params.put("limit", Integer.toString(limit));
        return kb(kb, "/log" + query.queryString(params));
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
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }
}
