package io.aqueduct.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A YAML mapping being read into typed values. It remembers which keys were read so that {@link #finish()}
 * can reject the unknown ones, and names the full key path in every error.
 */
public final class ConfigNode {
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");

    private final JsonNode node;
    private final String path;
    private final Function<String, String> env;
    private final Set<String> read = new LinkedHashSet<>();

    public ConfigNode(JsonNode node, String path, Function<String, String> env) {
        if (node != null && !node.isObject() && !node.isNull()) {
            throw new ConfigException(where(path) + "expected a mapping of keys to values, got " + describe(node));
        }
        this.node = node;
        this.path = path;
        this.env = env;
    }

    public String path() {
        return path;
    }

    public boolean has(String key) {
        return node != null && node.has(key) && !node.get(key).isNull();
    }

    private JsonNode get(String key) {
        read.add(key);
        return node == null ? null : node.get(key);
    }

    public String string(String key, String fallback) {
        JsonNode v = get(key);
        if (v == null || v.isNull()) return fallback;
        if (!v.isValueNode()) throw new ConfigException(where(child(key)) + "expected a single value, got " + describe(v));
        return substitute(child(key), v.asText());
    }

    public String requiredString(String key, String hint) {
        String v = string(key, null);
        if (v == null || v.isEmpty()) throw new ConfigException(where(child(key)) + "is required. " + hint);
        return v;
    }

    public long longValue(String key, long fallback, long min, long max) {
        String text = string(key, null);
        if (text == null) return fallback;
        long v;
        try {
            v = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(where(child(key)) + "expected a whole number, got '" + text + "'.");
        }
        if (v < min || v > max) {
            throw new ConfigException(where(child(key)) + "must be between " + min + " and " + max + ", got " + v + ".");
        }
        return v;
    }

    public int intValue(String key, int fallback, int min, int max) {
        return (int) longValue(key, fallback, min, max);
    }

    public boolean bool(String key, boolean fallback) {
        String text = string(key, null);
        if (text == null) return fallback;
        return switch (text.trim().toLowerCase()) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new ConfigException(where(child(key)) + "expected true or false, got '" + text + "'.");
        };
    }

    /** A byte size such as {@code 64MB}, {@code 512k} or a plain number of bytes. */
    public long bytes(String key, long fallback) {
        String text = string(key, null);
        return text == null ? fallback : parseBytes(text, where(child(key)));
    }

    /** {@code text} as a byte size ({@link #bytes(String, long)}); {@code where} starts the message when it is not one. */
    public static long parseBytes(String text, String where) {
        Matcher m = Pattern.compile("(?i)\\s*(\\d+)\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?\\s*").matcher(text);
        if (!m.matches()) {
            throw new ConfigException(where + "expected a size such as 64MB or 512KB, got '" + text + "'.");
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new ConfigException(where + "'" + text + "' is too large.");
        }
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase();
        long mult = switch (unit.charAt(0)) {
            case 'k' -> 1024L;
            case 'm' -> 1024L * 1024;
            case 'g' -> 1024L * 1024 * 1024;
            default -> 1L;
        };
        if (n <= 0) throw new ConfigException(where + "must be greater than zero.");
        try {
            return Math.multiplyExact(n, mult);
        } catch (ArithmeticException e) {
            throw new ConfigException(where + "'" + text + "' is too large.");
        }
    }

    /** A duration such as {@code 90s}, {@code 30m}, {@code 12h} or {@code 7d}. */
    public java.time.Duration duration(String key, java.time.Duration fallback) {
        String text = string(key, null);
        return text == null ? fallback : parseDuration(text, where(child(key)));
    }

    /** {@code text} as a duration ({@link #duration(String, java.time.Duration)}); {@code where} starts the message. */
    public static java.time.Duration parseDuration(String text, String where) {
        Matcher m = Pattern.compile("(?i)\\s*(\\d{1,9})\\s*(s|m|h|d)\\s*").matcher(text);
        if (!m.matches()) {
            throw new ConfigException(where + "expected a duration such as 90s, 30m, 12h or 7d, got '" + text + "'.");
        }
        long n = Long.parseLong(m.group(1));
        if (n <= 0) throw new ConfigException(where + "must be greater than zero.");
        return switch (Character.toLowerCase(m.group(2).charAt(0))) {
            case 's' -> java.time.Duration.ofSeconds(n);
            case 'm' -> java.time.Duration.ofMinutes(n);
            case 'h' -> java.time.Duration.ofHours(n);
            default -> java.time.Duration.ofDays(n);
        };
    }

    public String oneOf(String key, String fallback, List<String> allowed) {
        String v = string(key, fallback);
        if (v != null && !allowed.contains(v)) {
            throw new ConfigException(where(child(key)) + "'" + v + "' is not one of " + String.join(", ", allowed) + ".");
        }
        return v;
    }

    public List<String> strings(String key) {
        JsonNode v = get(key);
        if (v == null || v.isNull()) return List.of();
        if (v.isValueNode()) return List.of(substitute(child(key), v.asText()));
        if (!v.isArray()) throw new ConfigException(where(child(key)) + "expected a list of strings, got " + describe(v));
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            if (!e.isValueNode()) throw new ConfigException(where(child(key) + "[" + i + "]") + "expected a string, got " + describe(e));
            out.add(substitute(child(key) + "[" + i + "]", e.asText()));
        }
        return out;
    }

    /** A nested mapping; an absent key gives an empty node. */
    public ConfigNode section(String key) {
        return new ConfigNode(get(key), child(key), env);
    }

    /** A mapping of names to strings (route maps). */
    public Map<String, String> stringMap(String key) {
        JsonNode v = get(key);
        Map<String, String> out = new LinkedHashMap<>();
        if (v == null || v.isNull()) return out;
        if (!v.isObject()) throw new ConfigException(where(child(key)) + "expected a mapping of names, got " + describe(v));
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                throw new ConfigException(where(child(key) + "." + e.getKey()) + "expected a name, got " + describe(e.getValue()));
            }
            out.put(e.getKey(), substitute(child(key) + "." + e.getKey(), e.getValue().asText()));
        }
        return out;
    }

    /** The keys of a nested mapping, each read as its own node. */
    public Map<String, ConfigNode> sections(String key) {
        JsonNode v = get(key);
        Map<String, ConfigNode> out = new LinkedHashMap<>();
        if (v == null || v.isNull()) return out;
        if (!v.isObject()) throw new ConfigException(where(child(key)) + "expected a mapping, got " + describe(v));
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            var e = it.next();
            out.put(e.getKey(), new ConfigNode(e.getValue(), child(key) + "." + e.getKey(), env));
        }
        return out;
    }

    /** Every key of this mapping read as a string value (for maps whose keys are names, not settings). */
    public Map<String, String> allStrings() {
        Map<String, String> out = new LinkedHashMap<>();
        if (node == null) return out;
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            String v = string(k, null);
            if (v == null || v.isEmpty()) throw new ConfigException(where(child(k)) + "expected a name, got nothing.");
            out.put(k, v);
        }
        return out;
    }

    public JsonNode raw(String key) {
        return get(key);
    }

    /** Rejects keys that were never read, suggesting the nearest known one. */
    public void finish() {
        expectOnly(read);
    }

    /**
     * Rejects keys outside {@code known} before any is read, so that a misspelled required section is reported as
     * the misspelling rather than as the section it was meant to be.
     */
    public void expectOnly(java.util.Collection<String> known) {
        if (node == null) return;
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!known.contains(k)) {
                String near = known.stream().min(Comparator.comparingInt(r -> distance(r, k))).orElse(null);
                String hint = near != null && distance(near, k) <= 3 ? " Did you mean '" + near + "'?" : "";
                throw new ConfigException(where(child(k)) + "unknown key." + hint + " Known keys here: "
                        + String.join(", ", known) + ".");
            }
        }
    }

    private String child(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private String substitute(String at, String text) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String value = env.apply(m.group(1));
            if ((value == null || value.isEmpty()) && m.group(3) != null) value = m.group(3); // as in the shell's ${X:-d}
            if (value == null) {
                throw new ConfigException(where(at) + "environment variable " + m.group(1) + " is not set. Export it "
                        + "(export " + m.group(1) + "=...) or write ${" + m.group(1) + ":-default} to give a default.");
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    public static String where(String path) {
        return path.isEmpty() ? "" : path + ": ";
    }

    private static String describe(JsonNode v) {
        if (v.isObject()) return "a mapping";
        if (v.isArray()) return "a list";
        return "'" + v.asText() + "'";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
