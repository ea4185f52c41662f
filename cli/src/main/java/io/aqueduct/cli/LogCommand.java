package io.aqueduct.cli;

import io.aqueduct.core.config.ConfigException;
import io.aqueduct.core.model.Change;
import io.aqueduct.core.model.Ddl;
import io.aqueduct.core.model.RowChange;
import io.aqueduct.core.model.TableId;
import io.aqueduct.core.model.Transaction;
import io.aqueduct.log.Codec;
import io.aqueduct.log.LogCorruptException;
import io.aqueduct.log.LogInspector;
import io.aqueduct.log.LogReader;
import io.aqueduct.log.LogReaders;
import io.aqueduct.log.LogRetention;
import io.aqueduct.mysql.MySqlPosition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code aqueduct log}: operator commands on a relay log directory. Exit codes: 0 done, 1 damage found (or a damaged
 * reader file), 2 bad input.
 */
@Command(name = "log", synopsisSubcommandLabel = "COMMAND",
        description = "Inspect and maintain a relay log directory (the target.path of a capture job).",
        subcommands = {LogCommand.ListCommand.class, LogCommand.InfoCommand.class, LogCommand.IndexCommand.class,
                LogCommand.VerifyLogCommand.class, LogCommand.PurgeCommand.class, LogCommand.ReadersCommand.class,
                LogServeCommand.class, LogMirrorCommand.class})
final class LogCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "Missing the log command: list, info, index, verify, purge, readers, serve or mirror");
    }

    // ---------------------------------------------------------------------------------------------------- list

    @Command(name = "list", description = "One line per transaction: seqno, commit time, epoch, fragments, rows per "
            + "table (+inserted ~updated -deleted), DDL, and the source position it carries. Starts at the log's first "
            + "transaction, or where --from (a seqno), --since (a commit time) or --from-position (a MySQL binlog "
            + "position) says.")
    static final class ListCommand implements Callable<Integer> {
        @Parameters(paramLabel = "DIR", description = "The relay log directory.")
        Path dir;

        @Option(names = "--from", paramLabel = "SEQNO", description = "Start at this seqno (default: the log's first).")
        Long from;

        @Option(names = "--to", paramLabel = "SEQNO", description = "Stop after this seqno (default: the log's last).")
        Long to;

        @Option(names = "--since", paramLabel = "TIME", description = "Start at the first transaction, in log order, "
                + "committed at or after this ISO-8601 time (2024-05-01T12:00:00Z; without an offset: UTC), as a reader "
                + "seeking by time would.")
        String since;

        @Option(names = "--from-position", paramLabel = "JSON", description = "Start at the first transaction, in log "
                + "order, whose source position is at or after this MySQL binlog position, such as "
                + "'{\"file\": \"mysql-bin.000003\", \"position\": 1234}', as a reader seeking by source position would "
                + "(for logs a MySQL capture job wrote). Not with --from or --since.")
        String fromPosition;

        @Option(names = "--table", paramLabel = "REGEX", description = "Only transactions changing a table whose db.table "
                + "matches this regular expression, and only those tables' counts.")
        String table;

        @Option(names = "--limit", paramLabel = "N", description = "At most N transactions.")
        Long limit;

        @Override
        public Integer call() throws IOException {
            checkLogDir(dir);
            if (from != null && from < 0) throw new ConfigException("--from " + from + " is not a seqno: give 0 or more");
            if (to != null && from != null && to < from) {
                throw new ConfigException("--to " + to + " is before --from " + from + ": give a --to of at least " + from);
            }
            if (limit != null && limit < 1) throw new ConfigException("--limit " + limit + " must be at least 1");
            if (fromPosition != null && (from != null || since != null)) {
                throw new ConfigException("--from-position and " + (from != null ? "--from" : "--since") + " both say where to "
                        + "start: give only one of them");
            }
            Long sinceMillis = since == null ? null : parseTime("--since", since);
            if (fromPosition != null) binlogPosition(fromPosition);
            Pattern tables = table == null ? null : regex(table);

            try (LogInspector in = LogInspector.open(dir)) {
                List<LogInspector.Segment> segments = in.segments();
                if (segments.isEmpty()) {
                    System.out.println("The relay log in " + dir + " holds no transaction yet.");
                    return 0;
                }
                long first = segments.get(0).baseSeqno();
                if (from != null && from < first) {
                    throw new ConfigException("--from " + from + " is before the start of the relay log in " + dir
                            + ", which begins at seqno " + first + " (earlier seqnos were purged): give --from " + first + " or more");
                }
                if (to != null && to < first) {
                    throw new ConfigException("--to " + to + " is before the start of the relay log in " + dir
                            + ", which begins at seqno " + first + ": give --to " + first + " or more");
                }
                long start = from == null ? first : from;
                if (fromPosition != null) {
                    try (LogReader reader = LogReader.open(dir)) {
                        reader.seekToSourcePosition(fromPosition, BINLOG_ORDER);
                        start = reader.lastWholeSeqno() + 1;
                        if (start >= reader.endSeqno()) {
                            System.out.println("No transaction in the relay log has a source position at or after "
                                    + fromPosition + " yet.");
                            return 0;
                        }
                    }
                }
                if (sinceMillis != null) {
                    long[] found = {-1};
                    // decoded: a block's header has only the latest commit time of its transactions
                    LogInspector.End end = in.walk(start, true, (r, t) -> {
                        if (t.fragment() == 0 && t.commitTime() >= sinceMillis) {
                            found[0] = t.seq();
                            return false;
                        }
                        return true;
                    });
                    if (found[0] < 0) {
                        checkFromInLog(end, start);
                        System.out.println("No transaction" + (from == null ? "" : " from seqno " + from) + " committed at or after "
                                + time(sinceMillis) + ".");
                        return 0;
                    }
                    start = found[0];
                }
                return print(in, start, tables);
            } catch (LogCorruptException e) {
                return damaged(dir, e);
            }
        }

        private int print(LogInspector in, long start, Pattern tables) throws IOException {
            System.out.printf(Locale.ROOT, "%-10s %-24s %5s %5s  %s%n", "SEQNO", "COMMIT TIME (UTC)", "EPOCH", "FRAGS", "CHANGES, ID, POSITION");
            Tx[] tx = {null};
            long[] printed = {0};
            boolean[] any = {false};
            LogInspector.End end = in.walk(start, true, (r, t) -> {
                any[0] = true;
                if (to != null && t.seq() > to) return false;
                if (t.fragment() == 0) tx[0] = new Tx(t.seq(), t.commitTime(), t.id(), t.origin());
                tx[0].add(r, t, tables);
                if (!t.last()) return true;
                if (tables == null || tx[0].matched) {
                    System.out.println(tx[0].line(false));
                    printed[0]++;
                }
                tx[0] = null;
                return limit == null || printed[0] < limit;
            });
            if (!any[0]) checkFromInLog(end, start);
            if (!end.stopped() && tx[0] != null && (tables == null || tx[0].matched)) {
                System.out.println(tx[0].line(true));
            }
            if (printed[0] == 0 && tx[0] == null) System.out.println("(no transaction" + (tables == null ? "" : " of tables matching " + table) + ")");
            return 0;
        }

        /** A walk that visited nothing: the start is past the log's end. */
        private void checkFromInLog(LogInspector.End end, long start) {
            if (from != null && end.nextSeqno() >= 0 && start > end.nextSeqno() - 1 && start == from) {
                throw new ConfigException("--from " + from + " is after the end of the relay log in " + dir + ", whose last "
                        + "transaction is seqno " + (end.nextSeqno() - 1) + ": give --from " + (end.nextSeqno() - 1) + " or less");
            }
        }
    }

    /**
     * MySQL binlog order of two positions' JSON forms, as {@code MySqlPosition} orders them: by the file name's number,
     * then the offset. A position in the log that is not a MySQL one is bad input.
     */
    static final Comparator<String> BINLOG_ORDER = (a, b) -> MySqlPosition.compare(storedBinlogPosition(a), storedBinlogPosition(b));

    /** The MySQL binlog position given with {@code --from-position}, or bad input naming an example. */
    static MySqlPosition binlogPosition(String json) {
        return orderable(json, "--from-position '" + json + "' is not a MySQL binlog position: give JSON with the "
                + "binlog file and offset, such as '{\"file\": \"mysql-bin.000003\", \"position\": 1234}'");
    }

    private static MySqlPosition storedBinlogPosition(String json) {
        return orderable(json, "The relay log holds the source position " + json + ", which is not a MySQL binlog "
                + "position: --from-position works on logs a MySQL capture job wrote; use --from or --since here");
    }

    /** {@code json} as a MySQL position that can be ordered, or bad input with {@code problem}. */
    private static MySqlPosition orderable(String json, String problem) {
        try {
            MySqlPosition p = MySqlPosition.parse(json);
            MySqlPosition.compare(p, p); // refuses a file name without a number, which cannot be ordered
            return p;
        } catch (RuntimeException e) {
            throw new ConfigException(problem);
        }
    }

    /** What {@code log list} gathers about one transaction from its fragments. */
    private static final class Tx {
        final long seqno;
        final long commitTime;
        final String id;
        final String origin;
        long epoch;
        int fragments;
        String position;
        boolean matched;
        final Map<String, int[]> rows = new LinkedHashMap<>();
        final List<String> ddls = new ArrayList<>();

        Tx(long seqno, long commitTime, String id, String origin) {
            this.seqno = seqno;
            this.commitTime = commitTime;
            this.id = id;
            this.origin = origin;
        }

        void add(LogInspector.Record r, Transaction t, Pattern tables) {
            fragments++;
            epoch = r.epoch();
            if (t.position() != null) position = t.position().toJson();
            for (Change c : t.changes()) {
                if (c instanceof RowChange rc) {
                    String name = name(rc.table());
                    if (tables != null && !tables.matcher(name).matches()) continue;
                    matched = true;
                    rows.computeIfAbsent(name, k -> new int[3])[rc.op().ordinal()]++;
                } else {
                    Ddl d = (Ddl) c;
                    TableId id = d.table() != null ? d.table() : d.newTable() != null ? d.newTable().id() : null;
                    if (tables != null && (id == null || !tables.matcher(name(id)).matches())) continue;
                    matched = true;
                    ddls.add(id != null ? name(id) : d.schema() == null ? "?" : d.schema());
                }
            }
        }

        String line(boolean unfinished) {
            StringBuilder changes = new StringBuilder();
            rows.forEach((name, n) -> {
                if (!changes.isEmpty()) changes.append(", ");
                changes.append(name);
                if (n[0] > 0) changes.append(" +").append(n[0]);
                if (n[1] > 0) changes.append(" ~").append(n[1]);
                if (n[2] > 0) changes.append(" -").append(n[2]);
            });
            for (String d : ddls) changes.append(changes.isEmpty() ? "" : ", ").append("DDL ").append(d);
            if (changes.isEmpty()) changes.append("(no changes)");
            String tail = "  id " + id + (origin == null ? "" : "  origin " + origin)
                    + (position == null ? "" : "  position " + position)
                    + (unfinished ? "  (unfinished: a writer is appending it, or stopped inside it)" : "");
            return String.format(Locale.ROOT, "%-10d %-24s %5d %5d  %s%s", seqno, time(commitTime), epoch, fragments, changes, tail);
        }
    }

    // ---------------------------------------------------------------------------------------------------- info

    @Command(name = "info", description = "Segments, seqnos, commit times, epochs, codecs, compression and readers of a log.")
    static final class InfoCommand implements Callable<Integer> {
        @Parameters(paramLabel = "DIR", description = "The relay log directory.")
        Path dir;

        @Override
        public Integer call() throws IOException {
            checkLogDir(dir);
            try (LogInspector in = LogInspector.open(dir)) {
                List<LogInspector.Segment> segments = in.segments();
                System.out.println("Relay log " + dir);
                long bytes = segments.stream().mapToLong(LogInspector.Segment::bytes).sum();
                System.out.printf(Locale.ROOT, "  segments:     %d (%s)%n", segments.size(), size(bytes));
                if (segments.isEmpty()) {
                    System.out.println("  transactions: none yet");
                    return readers(dir, -1, -1);
                }
                Map<Path, long[]> perSegment = new LinkedHashMap<>(); // first seqno, last seqno, raw, compressed, latest commit time
                long[] totals = {0, 0, 0, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE}; // raw, compressed, records, min epoch, max epoch, first time, last time
                LogInspector.End end = in.walk(Long.MIN_VALUE, false, (r, t) -> {
                    long[] s = perSegment.computeIfAbsent(r.file(), k -> new long[] {r.seqno(), -1, 0, 0, Long.MIN_VALUE});
                    if (r.last()) s[1] = r.lastSeqno();
                    s[2] += r.rawLength();
                    s[3] += r.compressedLength();
                    s[4] = Math.max(s[4], r.commitTime());
                    totals[0] += r.rawLength();
                    totals[1] += r.compressedLength();
                    totals[2]++;
                    totals[3] = Math.min(totals[3], r.epoch());
                    totals[4] = Math.max(totals[4], r.epoch());
                    return true;
                });
                // a block's header has its latest commit time: the first and last transactions' are inside
                in.walk(Long.MIN_VALUE, true, (r, t) -> {
                    totals[5] = t.commitTime();
                    return false;
                });
                long first = segments.get(0).baseSeqno();
                long last = end.nextSeqno() - 1;
                in.walk(last, true, (r, t) -> {
                    if (t.seq() == last && t.last()) totals[6] = t.commitTime();
                    return true;
                });
                if (last < first) {
                    System.out.println("  transactions: none whole yet");
                } else {
                    System.out.printf(Locale.ROOT, "  seqnos:       %d to %d (%d transactions, %d records)%n", first, last,
                            last - first + 1, totals[2]);
                    System.out.printf(Locale.ROOT, "  commit times: %s (first) to %s (last)%n", time(totals[5]), time(totals[6]));
                }
                if (totals[2] > 0) {
                    System.out.printf(Locale.ROOT, "  epoch:        %s%n", totals[3] == totals[4] ? Long.toString(totals[4])
                            : totals[3] + " to " + totals[4] + " (the newest records " + totals[4] + ")");
                }
                Map<Codec, Integer> codecs = new EnumMap<>(Codec.class);
                for (LogInspector.Segment s : segments) codecs.merge(s.codec(), 1, Integer::sum);
                StringBuilder c = new StringBuilder();
                codecs.forEach((k, v) -> c.append(c.isEmpty() ? "" : ", ").append(k.name().toLowerCase(Locale.ROOT))
                        .append(" (").append(v).append(v == 1 ? " segment)" : " segments)"));
                System.out.printf(Locale.ROOT, "  codec:        %s; new segments: %s%n", c,
                        segments.get(segments.size() - 1).codec().name().toLowerCase(Locale.ROOT));
                if (totals[1] > 0) {
                    System.out.printf(Locale.ROOT, "  compression:  %.2f (payloads %s raw, %s compressed)%n",
                            (double) totals[0] / totals[1], size(totals[0]), size(totals[1]));
                }
                System.out.println("  tail:         " + tail(end));
                System.out.println("  files:");
                for (LogInspector.Segment s : segments) {
                    long[] p = perSegment.get(s.file());
                    String seqnos = p == null || p[1] < 0 ? "no whole transaction" : "seqnos " + p[0] + " to " + p[1];
                    String times = p == null || p[4] == Long.MIN_VALUE ? "" : ", latest commit " + time(p[4]);
                    System.out.printf(Locale.ROOT, "    %s  %s, %s, %s, epoch %d%s%n", s.file().getFileName(), seqnos, size(s.bytes()),
                            s.codec().name().toLowerCase(Locale.ROOT), s.epoch(), times);
                }
                return readers(dir, first, last);
            } catch (LogCorruptException e) {
                return damaged(dir, e);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------- index

    @Command(name = "index", description = "The sparse index of every segment, as a reader builds it: seqno, byte "
            + "offset and commit time (the latest of a block's transactions) of an entry about every --interval bytes.")
    static final class IndexCommand implements Callable<Integer> {
        @Parameters(paramLabel = "DIR", description = "The relay log directory.")
        Path dir;

        @Option(names = "--interval", paramLabel = "BYTES", description = "Bytes between entries (default ${DEFAULT-VALUE}, "
                + "what readers use).")
        int interval = LogReader.DEFAULT_INDEX_INTERVAL_BYTES;

        @Override
        public Integer call() throws IOException {
            checkLogDir(dir);
            if (interval < 1) throw new ConfigException("--interval " + interval + " must be at least 1");
            try (LogInspector in = LogInspector.open(dir)) {
                List<LogInspector.Segment> segments = in.segments();
                if (segments.isEmpty()) System.out.println("The relay log in " + dir + " holds no segment yet.");
                for (LogInspector.Segment s : segments) {
                    List<LogInspector.IndexEntry> entries = in.index(s, interval);
                    System.out.printf(Locale.ROOT, "%s  base seqno %d, %s, %s, epoch %d: %d entr%s%n", s.file().getFileName(),
                            s.baseSeqno(), size(s.bytes()), s.codec().name().toLowerCase(Locale.ROOT), s.epoch(), entries.size(),
                            entries.size() == 1 ? "y" : "ies");
                    if (entries.isEmpty()) continue;
                    System.out.printf(Locale.ROOT, "  %-10s %12s  %-24s  %s%n", "SEQNO", "OFFSET", "COMMIT TIME (UTC)", "LATEST COMMIT BEFORE");
                    for (LogInspector.IndexEntry e : entries) {
                        System.out.printf(Locale.ROOT, "  %-10d %12d  %-24s  %s%n", e.seqno(), e.offset(), time(e.commitTime()),
                                e.maxCommitTimeBefore() == Long.MIN_VALUE ? "-" : time(e.maxCommitTimeBefore()));
                    }
                }
                return 0;
            } catch (LogCorruptException e) {
                return damaged(dir, e);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------- verify

    @Command(name = "verify", description = "Read and check every record (frame, CRC, seqno run, decoding) and the reader "
            + "files; exit 0 when the log is whole, 1 at damage, naming the file and byte offset.")
    static final class VerifyLogCommand implements Callable<Integer> {
        @Parameters(paramLabel = "DIR", description = "The relay log directory.")
        Path dir;

        @Override
        public Integer call() throws IOException {
            checkLogDir(dir);
            long[] n = {0, 0, 0}; // records, transactions, payload bytes
            try (LogInspector in = LogInspector.open(dir)) {
                List<LogInspector.Segment> segments = in.segments();
                LogInspector.End end = in.walk(Long.MIN_VALUE, true, (r, t) -> {
                    if (t.seq() == r.seqno()) { // the first visit of a record: a block comes once per transaction
                        n[0]++;
                        n[2] += r.rawLength();
                    }
                    if (t.last()) n[1]++;
                    return true;
                });
                long bytes = segments.stream().mapToLong(LogInspector.Segment::bytes).sum();
                if (segments.isEmpty()) {
                    System.out.println("The relay log in " + dir + " holds no segment yet: nothing to verify.");
                } else {
                    long first = segments.get(0).baseSeqno();
                    System.out.printf(Locale.ROOT, "Verified %s: %d segment%s (%s), %d transaction%s%s, %d record%s: no damage.%n",
                            dir, segments.size(), segments.size() == 1 ? "" : "s", size(bytes), n[1], n[1] == 1 ? "" : "s",
                            n[1] == 0 ? "" : " (seqnos " + first + " to " + (end.nextSeqno() - 1) + ")", n[0], n[0] == 1 ? "" : "s");
                    if (end.tail() != LogInspector.Tail.CLEAN) System.out.println("Tail: " + tail(end));
                }
            } catch (LogCorruptException e) {
                System.out.println("DAMAGED: " + e.file() + " at byte " + e.offset() + ": " + problem(e));
                System.out.println("Checked " + n[0] + " record" + (n[0] == 1 ? "" : "s") + " (" + n[1] + " whole transaction"
                        + (n[1] == 1 ? "" : "s") + ") before it; they are intact. Readers stop at this record and read nothing "
                        + "after it.");
                System.out.println("fix: restore the segment from a copy; or, once every reader is past it, purge up to the "
                        + "segment after it (`aqueduct log purge " + dir + " --to SEQNO`); or write a new log from the capture "
                        + "job's source into another directory and point the readers there.");
                return 1;
            }
            try {
                List<LogReaders.Reader> readers = LogReaders.list(dir);
                if (!readers.isEmpty()) System.out.println("Reader files: " + readers.size() + ", all readable.");
            } catch (IOException e) {
                System.out.println("DAMAGED: " + e.getMessage());
                return 1;
            }
            return 0;
        }
    }

    // ---------------------------------------------------------------------------------------------------- purge

    @Command(name = "purge", description = "Delete the segment files all of whose transactions have a seqno below --to. "
            + "Never deletes what a registered reader has not acknowledged, nor the newest segment.")
    static final class PurgeCommand implements Callable<Integer> {
        @Parameters(paramLabel = "DIR", description = "The relay log directory.")
        Path dir;

        @Option(names = "--to", paramLabel = "SEQNO", required = true, description = "Delete segments holding only seqnos below this.")
        long to;

        @Option(names = "--dry-run", description = "Only say what would be deleted.")
        boolean dryRun;

        @Override
        public Integer call() throws IOException {
            checkLogDir(dir);
            if (to < 0) throw new ConfigException("--to " + to + " is not a seqno: give 0 or more");
            long next;
            try (LogInspector in = LogInspector.open(dir)) {
                List<LogInspector.Segment> segments = in.segments();
                if (segments.isEmpty()) {
                    System.out.println("The relay log in " + dir + " holds no segment: nothing to purge.");
                    return 0;
                }
                next = in.walk(segments.get(segments.size() - 1).baseSeqno(), false, (r, t) -> true).nextSeqno();
            } catch (LogCorruptException e) {
                return damaged(dir, e);
            }
            if (to > next) {
                throw new ConfigException("--to " + to + " is after the end of the relay log in " + dir + ", whose last "
                        + "transaction is seqno " + (next - 1) + ": give --to " + next + " or less");
            }
            LogRetention.Result r;
            try {
                r = LogRetention.purge(dir, to, dryRun);
            } catch (NoSuchFileException e) {
                throw e;
            } catch (IOException e) {
                System.err.println("error: " + e.getMessage());
                System.err.println("Nothing was deleted.");
                return 1;
            }
            String verb = dryRun ? "would delete" : "deleted";
            for (LogRetention.Segment s : r.deleted()) {
                System.out.printf(Locale.ROOT, "%s %s (seqnos %d to %d, %s)%n", verb, s.file(), s.firstSeqno(), s.lastSeqno(), size(s.bytes()));
            }
            if (r.deleted().isEmpty()) System.out.println("Nothing " + (dryRun ? "would be " : "") + "deleted.");
            else System.out.printf(Locale.ROOT, "%s %d segment%s, %s.%n", dryRun ? "Would delete" : "Deleted", r.deleted().size(),
                    r.deleted().size() == 1 ? "" : "s", size(r.deletedBytes()));
            if (r.firstSeqno() >= 0) {
                System.out.println("The log " + (dryRun ? "would begin" : "now begins") + " at seqno " + r.firstSeqno() + ".");
            }
            if (r.heldBackBy() != null) {
                LogReaders.Reader reader = r.heldBackBy();
                System.out.printf(Locale.ROOT, "Kept %s (seqnos %d to %d) and the segments after it: reader '%s' has acknowledged "
                                + "only seqno %d (last at %s, from %s) and still needs seqno %d on.%n",
                        r.heldSegment().file().getFileName(), r.heldSegment().firstSeqno(), r.heldSegment().lastSeqno(),
                        reader.name(), reader.seqno(), reader.updated(), reader.from() == null ? "unknown" : reader.from(),
                        reader.seqno() + 1);
                System.out.println("See how far each reader is with `aqueduct log readers " + dir + "` and purge again once it "
                        + "has caught up; if that reader is gone for good, forget it with `aqueduct log readers " + dir
                        + " --forget " + reader.name() + "` and purge again.");
            } else if (r.newestKept()) {
                System.out.println("Kept the segment from seqno " + r.firstSeqno() + " on: the newest segment is never deleted, "
                        + "since a writer appends to it, nor the one before it while the newest holds no whole transaction yet.");
            } else if (r.firstSeqno() >= 0 && r.firstSeqno() < to) {
                System.out.println("Seqnos " + r.firstSeqno() + " to " + (to - 1) + " stay: they share a segment with seqno " + to
                        + ", and purge deletes whole segments only.");
            }
            return 0;
        }
    }

    // ---------------------------------------------------------------------------------------------------- readers

    @Command(name = "readers", description = "The readers registered with a log: acknowledged seqno, lag, last update and "
            + "where they read from; --forget removes one that is gone for good, so retention no longer waits for it.")
    static final class ReadersCommand implements Callable<Integer> {
        @Parameters(paramLabel = "DIR", description = "The relay log directory.")
        Path dir;

        @Option(names = "--forget", paramLabel = "NAME", description = "Remove this reader.")
        String forget;

        @Override
        public Integer call() throws IOException {
            checkLogDir(dir);
            if (forget != null) {
                if (!LogReaders.isValidName(forget)) {
                    throw new ConfigException("'" + forget + "' is not a reader name (1 to 100 letters, digits, '.', '_' or '-'): "
                            + "`aqueduct log readers " + dir + "` lists the registered readers");
                }
                String had = "";
                try {
                    for (LogReaders.Reader r : LogReaders.list(dir)) {
                        if (r.name().equals(forget)) had = " (it had acknowledged seqno " + r.seqno() + ")";
                    }
                } catch (IOException e) {
                    // a damaged file, perhaps the one to forget: forgetting works all the same
                }
                try {
                    LogReaders.forget(dir, forget);
                } catch (NoSuchFileException e) {
                    throw new ConfigException("no reader named '" + forget + "' is registered in " + dir + ": `aqueduct log readers "
                            + dir + "` lists the registered readers");
                }
                System.out.println("Forgot reader '" + forget + "'" + had + "; retention no longer waits for it. Should it still "
                        + "be running, it registers again at its next acknowledgement.");
                return 0;
            }
            long first = -1;
            long last = -1;
            try (LogInspector in = LogInspector.open(dir)) {
                List<LogInspector.Segment> segments = in.segments();
                if (!segments.isEmpty()) {
                    first = segments.get(0).baseSeqno();
                    last = in.walk(segments.get(segments.size() - 1).baseSeqno(), false, (r, t) -> true).nextSeqno() - 1;
                }
            } catch (LogCorruptException e) {
                return damaged(dir, e);
            }
            System.out.println("Relay log " + dir + (last < first ? "" : ": seqnos " + first + " to " + last));
            return readers(dir, first, last);
        }
    }

    // ---------------------------------------------------------------------------------------------------- helpers

    /** Prints the readers table; returns 1 when a reader file is damaged. */
    static int readers(Path dir, long first, long last) {
        List<LogReaders.Reader> readers;
        try {
            readers = LogReaders.list(dir);
        } catch (IOException e) {
            System.out.println("  readers:      cannot be listed: " + e.getMessage());
            return 1;
        }
        if (readers.isEmpty()) {
            System.out.println("  readers:      none registered (retention waits for no reader)");
            return 0;
        }
        System.out.println("  readers:      " + readers.size());
        System.out.printf(Locale.ROOT, "    %-24s %10s %10s  %-24s  %s%n", "NAME", "ACKED", "LAG", "UPDATED (UTC)", "FROM");
        for (LogReaders.Reader r : readers) {
            String lag = last < 0 ? "-" : Long.toString(Math.max(0, last - r.seqno()));
            String note = first >= 0 && r.seqno() + 1 < first
                    ? "  (behind the log's start at seqno " + first + ": it cannot resume; forget it)" : "";
            System.out.printf(Locale.ROOT, "    %-24s %10d %10s  %-24s  %s%s%n", r.name(), r.seqno(), lag, r.updated(),
                    r.from() == null ? "-" : r.from(), note);
        }
        return 0;
    }

    /** Refuses a directory that is not a relay log. */
    static void checkLogDir(Path dir) throws IOException {
        String fix = "give the directory of a relay log (the target.path of a capture job)";
        if (!Files.exists(dir)) throw new ConfigException("There is no directory " + dir + ": " + fix + ".");
        if (!Files.isDirectory(dir)) throw new ConfigException(dir + " is a file, not a relay log directory: " + fix + ".");
        boolean log = Files.exists(dir.resolve("writer.lock")) || Files.isDirectory(dir.resolve(LogReaders.DIRECTORY));
        if (!log) {
            try (var files = Files.newDirectoryStream(dir, "*.seg")) {
                log = files.iterator().hasNext();
            }
        }
        if (!log) throw new ConfigException(dir + " holds no relay log (no .seg segment files): " + fix + ".");
    }

    /** Prints the damage found and returns exit code 1. */
    static int damaged(Path dir, LogCorruptException e) {
        System.err.println("error: the relay log is damaged: " + e.file() + " at byte " + e.offset() + ": " + problem(e));
        System.err.println("`aqueduct log verify " + dir + "` checks every record and says what to do.");
        return 1;
    }

    private static String problem(LogCorruptException e) {
        String prefix = e.file() + " at byte " + e.offset() + ": ";
        String m = e.getMessage();
        return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
    }

    private static String tail(LogInspector.End end) {
        return switch (end.tail()) {
            case CLEAN -> "ends after a whole transaction";
            case UNFINISHED_TRANSACTION -> "seqno " + end.nextSeqno() + " is unfinished in " + end.tailFile().getFileName()
                    + ": a writer is appending its fragments, or stopped inside it (its next start cuts them at byte "
                    + end.tailOffset() + ")";
            case INCOMPLETE_RECORD -> end.tailFile().getFileName() + " ends in an incomplete record after byte "
                    + end.tailOffset() + ": a writer is appending it, or crashed (its next start cuts the file there)";
            case ZEROS -> end.tailFile().getFileName() + " ends in zero bytes after byte " + end.tailOffset()
                    + ", left by a crash (a writer's next start cuts the file there)";
        };
    }

    static Pattern regex(String table) {
        try {
            return Pattern.compile(table);
        } catch (PatternSyntaxException e) {
            throw new ConfigException("--table '" + table + "' is not a regular expression (" + e.getDescription() + " near index "
                    + e.getIndex() + "): give one matched against db.table, such as 'shop\\.orders|shop\\.cust.*'");
        }
    }

    /** An ISO-8601 instant, date-time with offset, local date-time (UTC) or date (midnight UTC), as epoch millis. */
    static long parseTime(String option, String text) {
        try {
            return Instant.parse(text).toEpochMilli();
        } catch (DateTimeParseException e) {
            // other forms below
        }
        try {
            return OffsetDateTime.parse(text).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            // other forms below
        }
        try {
            return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeParseException e) {
            // other forms below
        }
        try {
            return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new ConfigException(option + " '" + text + "' is not a time: give an ISO-8601 time such as "
                    + "2024-05-01T12:00:00Z (without an offset it is UTC)");
        }
    }

    static String name(TableId id) {
        return id.schema() == null ? id.table() : id.schema() + "." + id.table();
    }

    static String time(long millis) {
        return millis == Long.MIN_VALUE ? "-" : Instant.ofEpochMilli(millis).toString();
    }

    static String size(long bytes) {
        if (bytes < 1024) return bytes + " B";
        double v = bytes;
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
