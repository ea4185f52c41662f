package io.aqueduct.mysql;

import io.aqueduct.core.model.Column;
import io.aqueduct.core.model.TableSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Compares a source table with an existing MySQL target table: what would stop or truncate replication. */
public final class MySqlShapes {
    private MySqlShapes() {}

    private static final List<String> INTEGERS = List.of("tinyint", "smallint", "mediumint", "int", "bigint");
    private static final List<String> TEXTS = List.of("tinytext", "text", "mediumtext", "longtext");
    private static final List<String> BLOBS = List.of("tinyblob", "blob", "mediumblob", "longblob");
    private static final Pattern ARGS = Pattern.compile("\\(([0-9]+)(?:,([0-9]+))?\\)");

    /** One problem per line: a column the target lacks, or a target type that cannot hold every source value. */
    public static List<String> problems(TableSchema source, TableSchema target) {
        List<String> out = new ArrayList<>();
        for (Column s : source.columns()) {
            Column t = target.column(s.name());
            if (t == null) {
                out.add("column " + s.name() + " (" + s.typeName() + ") is missing");
            } else if (narrower(s, t)) {
                out.add("column " + s.name() + " is " + t.typeName() + " on the target, narrower than the source's " + s.typeName());
            }
        }
        return out;
    }

    static boolean narrower(Column s, Column t) {
        String sb = s.baseType();
        String tb = t.baseType();
        String st = s.typeName().toLowerCase(Locale.ROOT);
        String tt = t.typeName().toLowerCase(Locale.ROOT);
        if (INTEGERS.contains(sb) && INTEGERS.contains(tb)) {
            int diff = INTEGERS.indexOf(tb) - INTEGERS.indexOf(sb);
            // an unsigned target cannot hold negatives; a signed one of the same width cannot hold the unsigned top half
            return diff < 0 || !s.unsigned() && t.unsigned() || s.unsigned() && !t.unsigned() && diff == 0;
        }
        if (TEXTS.contains(sb) && TEXTS.contains(tb)) return TEXTS.indexOf(tb) < TEXTS.indexOf(sb);
        if (BLOBS.contains(sb) && BLOBS.contains(tb)) return BLOBS.indexOf(tb) < BLOBS.indexOf(sb);
        if (!sb.equals(tb)) {
            // varchar into text, char into varchar and the like are wide enough; anything else is a different type
            boolean stringy = List.of("char", "varchar").contains(sb) && (List.of("char", "varchar").contains(tb) || TEXTS.contains(tb));
            boolean bytes = List.of("binary", "varbinary").contains(sb) && (List.of("binary", "varbinary").contains(tb) || BLOBS.contains(tb));
            if (stringy && TEXTS.contains(tb) || bytes && BLOBS.contains(tb)) return false;
            if (!stringy && !bytes) return true;
        }
        int[] sa = args(st);
        int[] ta = args(tt);
        return switch (sb) {
            case "decimal" -> ta[0] - ta[1] < sa[0] - sa[1] || ta[1] < sa[1];
            case "char", "varchar", "binary", "varbinary", "bit", "time", "datetime", "timestamp" -> ta[0] < sa[0];
            case "enum", "set" -> !t.elements().containsAll(s.elements());
            default -> false;
        };
    }

    private static int[] args(String type) {
        Matcher m = ARGS.matcher(type);
        if (!m.find()) return new int[] {0, 0};
        return new int[] {Integer.parseInt(m.group(1)), m.group(2) == null ? 0 : Integer.parseInt(m.group(2))};
    }
}
