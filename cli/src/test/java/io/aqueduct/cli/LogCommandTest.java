package io.aqueduct.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.aqueduct.core.model.Change;
import io.aqueduct.core.model.Column;
import io.aqueduct.core.model.Ddl;
import io.aqueduct.core.model.Position;
import io.aqueduct.core.model.RowChange;
import io.aqueduct.core.model.TableId;
import io.aqueduct.core.model.TableSchema;
import io.aqueduct.core.model.Transaction;
import io.aqueduct.log.Codec;
import io.aqueduct.log.FsyncPolicy;
import io.aqueduct.log.LogInspector;
import io.aqueduct.log.LogReaders;
import io.aqueduct.log.LogWriter;
import io.aqueduct.log.LogWriterOptions;
import io.aqueduct.mysql.MySqlPosition;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code aqueduct log …} on logs written by a {@link LogWriter}. */
class LogCommandTest {
    @TempDir
    Path tmp;

    static final long T0 = 1_700_000_000_000L;
    static final TableSchema ORDERS = new TableSchema(new TableId("shop", "orders"), List.of(
            new Column("id", Types.BIGINT, "bigint", false, false, 0, 0, null, List.of()),
            new Column("note", Types.VARCHAR, "varchar(64)", true, false, 64, 0, "utf8mb4", List.of())),
            List.of("id"), TableSchema.KeyKind.PRIMARY);
    static final TableSchema CUSTOMERS = new TableSchema(new TableId("shop", "customers"), List.of(
            new Column("email", Types.VARCHAR, "varchar(128)", false, false, 128, 0, "utf8mb4", List.of())),
            List.of("email"), TableSchema.KeyKind.PRIMARY);

    static Position position(long seq) {
        return () -> "{\"file\":\"mysql-bin.000001\",\"pos\":" + (4 + 100 * seq) + "}";
    }

    /**
     * Transaction {@code seq}: two orders inserted and one updated, one customer inserted and, every tenth, a DDL on
     * orders; committed {@code seq} seconds after T0.
     */
    static List<Change> changes(long seq) {
        List<Change> c = new ArrayList<>();
        c.add(new RowChange(ORDERS, RowChange.Op.INSERT, null, new Object[] {seq * 10, "note " + "x".repeat(40)}));
        c.add(new RowChange(ORDERS, RowChange.Op.INSERT, null, new Object[] {seq * 10 + 1, null}));
        c.add(new RowChange(ORDERS, RowChange.Op.UPDATE, new Object[] {seq * 10, "a"}, new Object[] {seq * 10, "b"}));
        c.add(new RowChange(CUSTOMERS, RowChange.Op.INSERT, null, new Object[] {"c" + seq + "@example.com"}));
        if (seq % 10 == 0) c.add(new Ddl("shop", "ALTER TABLE orders ADD COLUMN c" + seq + " int", ORDERS.id(), ORDERS));
        return c;
    }

    /** Writes transactions {@code from..to} in segments of 1 KiB (a few transactions each); seqno 25 comes as three fragments. */
    static void write(Path dir, long from, long to) throws IOException {
        write(dir, from, to, LogCommandTest::position);
    }

    /** Like {@link #write(Path, long, long)}, with the source positions {@code positions} gives. */
    static void write(Path dir, long from, long to, LongFunction<Position> positions) throws IOException {
        try (LogWriter w = LogWriter.open(dir, new LogWriterOptions(Codec.LZ4, 1024, FsyncPolicy.none(), 3))) {
            for (long s = from; s <= to; s++) {
                if (s == 25) {
                    for (int f = 0; f < 3; f++) {
                        w.append(new Transaction(s, "gtid-" + s, "101", T0 + s * 1000, f == 2 ? positions.apply(s) : null,
                                List.of(new RowChange(CUSTOMERS, RowChange.Op.DELETE, new Object[] {"d" + f + "@example.com"}, null)),
                                f, f == 2));
                    }
                } else {
                    w.append(new Transaction(s, "gtid-" + s, "101", T0 + s * 1000, positions.apply(s), changes(s), 0, true));
                }
            }
        }
    }

    Path log() throws IOException {
        Path dir = tmp.resolve("relay");
        write(dir, 1, 60);
        return dir;
    }

    /** The log's records, from their headers. */
    static List<LogInspector.Record> records(Path dir) throws IOException {
        List<LogInspector.Record> records = new ArrayList<>();
        try (LogInspector in = LogInspector.open(dir)) {
            in.walk(0, false, (rec, t) -> records.add(rec));
        }
        return records;
    }

    static List<Path> segments(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
        }
    }

    @Test
    void listPrintsOneLinePerTransaction() throws IOException {
        Path dir = log();
        CommandLineIT.Result r = CommandLineIT.aqueduct("log", "list", dir.toString(), "--from", "19", "--limit", "3");
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).contains("SEQNO").contains("COMMIT TIME");
        assertThat(lines.get(1)).startsWith("19 ").contains(Instant.ofEpochMilli(T0 + 19_000).toString())
                .contains("shop.orders +2 ~1, shop.customers +1").contains("id gtid-19").contains("origin 101")
                .contains("position {\"file\":\"mysql-bin.000001\",\"pos\":1904}");
        assertThat(lines.get(1).split("\\s+")).containsSequence("3", "1"); // epoch 3, one fragment
        assertThat(lines.get(2)).startsWith("20 ").contains("DDL shop.orders");
        assertThat(lines.get(3)).startsWith("21 ");

        // a transaction in fragments is one line
        r = CommandLineIT.aqueduct("log", "list", dir.toString(), "--from", "25", "--to", "25");
        assertThat(r.code()).isZero();
        lines = r.out().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1).split("\\s+")).containsSequence("25", Instant.ofEpochMilli(T0 + 25_000).toString(), "3", "3");
        assertThat(lines.get(1)).contains("shop.customers -3").contains("\"pos\":2504");

        // the whole log
        r = CommandLineIT.aqueduct("log", "list", dir.toString());
        assertThat(r.out().lines().count()).isEqualTo(61);
    }

    @Test
    void listSelectsByTableAndTime() throws IOException {
        Path dir = log();
        CommandLineIT.Result r = CommandLineIT.aqueduct("log", "list", dir.toString(), "--table", "shop\\.customers", "--from", "24", "--to", "26");
        assertThat(r.code()).isZero();
        List<String> lines = r.out().lines().skip(1).toList();
        assertThat(lines).hasSize(3);
        assertThat(lines).allSatisfy(l -> assertThat(l).doesNotContain("shop.orders"));
        assertThat(lines.get(0)).contains("shop.customers +1");

        r = CommandLineIT.aqueduct("log", "list", dir.toString(), "--table", "shop\\.orders", "--from", "24", "--to", "26");
        assertThat(r.out().lines().skip(1).toList()).extracting(l -> l.split("\\s+")[0]).containsExactly("24", "26");

        r = CommandLineIT.aqueduct("log", "list", dir.toString(), "--since", Instant.ofEpochMilli(T0 + 42_000).toString(), "--limit", "2");
        assertThat(r.out().lines().skip(1).toList()).extracting(l -> l.split("\\s+")[0]).containsExactly("42", "43");
        // an offset, and a local time taken as UTC
        r = CommandLineIT.aqueduct("log", "list", dir.toString(), "--since", "2023-11-14T23:14:10.5+01:00", "--limit", "1");
        assertThat(r.out().lines().skip(1).toList()).extracting(l -> l.split("\\s+")[0]).containsExactly("51");
        r = CommandLineIT.aqueduct("log", "list", dir.toString(), "--since", "2023-11-14T22:14:10.5", "--limit", "1");
        assertThat(r.out().lines().skip(1).toList()).extracting(l -> l.split("\\s+")[0]).containsExactly("51");
        r = CommandLineIT.aqueduct("log", "list", dir.toString(), "--since", "2030-01-01");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("No transaction committed at or after 2030-01-01T00:00:00Z");
    }

    /** A MySQL capture job's position for transaction {@code seq}: twenty transactions per binlog file. */
    static MySqlPosition binlog(long seq) {
        return new MySqlPosition(String.format("mysql-bin.%06d", 1 + seq / 20), 4 + 100 * (seq % 20), "");
    }

    static String binlogJson(int file, long offset) {
        return "{\"file\": \"mysql-bin." + String.format("%06d", file) + "\", \"position\": " + offset + "}";
    }

    static List<String> seqnos(CommandLineIT.Result r) {
        return r.out().lines().skip(1).map(l -> l.split("\\s+")[0]).toList();
    }

    @Test
    void listFromASourcePosition() throws IOException {
        Path dir = tmp.resolve("mysql-relay");
        write(dir, 1, 60, LogCommandTest::binlog);
        assertThat(segments(dir).size()).isGreaterThan(3);

        // exactly the position of seqno 20, the first in mysql-bin.000002
        CommandLineIT.Result r = CommandLineIT.aqueduct("log", "list", dir.toString(), "--from-position", binlogJson(2, 4), "--limit", "2");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out().lines().findFirst().orElseThrow()).contains("SEQNO");
        assertThat(seqnos(r)).containsExactly("20", "21");
        assertThat(r.out()).contains("position " + binlog(20).toJson());
        // between seqnos 19 and 20: the file comes before the offset
        r = CommandLineIT.aqueduct("log", "list", dir.toString(), "--from-position", binlogJson(1, 1905), "--limit", "1");
        assertThat(seqnos(r)).containsExactly("20");
        r = CommandLineIT.aqueduct("log", "list", dir.toString(), "--from-position", binlogJson(2, 103), "--to", "22");
        assertThat(seqnos(r)).containsExactly("21", "22");
        // seqno 25 in three fragments, only the last carrying the position: one line from its first fragment
        r = CommandLineIT.aqueduct("log", "list", dir.toString(), "--from-position", binlogJson(2, 450), "--limit", "1");
        assertThat(r.out().lines().skip(1).findFirst().orElseThrow().split("\\s+"))
                .containsSequence("25", Instant.ofEpochMilli(T0 + 25_000).toString(), "3", "3");
        // what the stored JSON looks like works too, gtids and all; and a table filter on top
        r = CommandLineIT.aqueduct("log", "list", dir.toString(), "--from-position", binlog(40).toJson(), "--table",
                "shop\\.orders", "--limit", "2");
        assertThat(seqnos(r)).containsExactly("40", "41");
        // before the first: the whole log
        r = CommandLineIT.aqueduct("log", "list", dir.toString(), "--from-position", binlogJson(0, 0));
        assertThat(r.code()).isZero();
        assertThat(r.out().lines().count()).isEqualTo(61);
        // after the last
        r = CommandLineIT.aqueduct("log", "list", dir.toString(), "--from-position", binlogJson(4, 5));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("No transaction in the relay log has a source position at or after " + binlogJson(4, 5));
    }

    @Test
    void listFromASourcePositionRefusesBadInput() throws IOException {
        Path dir = tmp.resolve("mysql-relay");
        write(dir, 1, 30, LogCommandTest::binlog);
        for (String bad : List.of("mysql-bin.000002:4", "{\"file\": \"mysql-bin.000002\"}", "{\"file\": \"x\", \"pos\": 4}",
                "{\"file\": \"mysql-bin\", \"position\": 4}", "{\"lsn\": \"0/16B3748\"}")) {
            CommandLineIT.Result r = CommandLineIT.aqueduct("log", "list", dir.toString(), "--from-position", bad);
            assertThat(r.code()).as(bad).isEqualTo(2);
            assertThat(r.err()).contains("--from-position '" + bad + "' is not a MySQL binlog position")
                    .contains("{\"file\": \"mysql-bin.000003\", \"position\": 1234}");
        }

        CommandLineIT.Result r = CommandLineIT.aqueduct("log", "list", dir.toString(), "--from-position", binlogJson(1, 4), "--from", "3");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--from-position and --from both say where to start");
        r = CommandLineIT.aqueduct("log", "list", dir.toString(), "--since", "2024-01-01", "--from-position", binlogJson(1, 4));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--from-position and --since both say where to start");

        // a log whose positions are not MySQL ones
        r = CommandLineIT.aqueduct("log", "list", log().toString(), "--from-position", binlogJson(1, 4));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("not a MySQL binlog position: --from-position works on logs a MySQL capture job wrote");

        // the usage text (subcommands have no --help option of their own: picocli prints it with the parse error)
        r = CommandLineIT.aqueduct("log", "list", "--help");
        assertThat(r.out() + r.err()).contains("--from-position=JSON").contains("MySQL binlog position")
                .contains("--from-position (a MySQL binlog position)");
    }

    @Test
    void badInputIsOneSentenceWithTheFixAndExitTwo() throws IOException {
        Path dir = log();
        CommandLineIT.Result r = CommandLineIT.aqueduct("log", "info", tmp.resolve("nope").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("There is no directory " + tmp.resolve("nope")).contains("target.path of a capture job");

        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Files.writeString(empty.resolve("notes.txt"), "hello");
        r = CommandLineIT.aqueduct("log", "list", empty.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains(empty + " holds no relay log");

        r = CommandLineIT.aqueduct("log", "list", dir.toString(), "--from", "61");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--from 61 is after the end of the relay log").contains("last transaction is seqno 60");

        r = CommandLineIT.aqueduct("log", "list", dir.toString(), "--from", "30", "--to", "20");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--to 20 is before --from 30");

        r = CommandLineIT.aqueduct("log", "list", dir.toString(), "--table", "shop.(orders");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--table 'shop.(orders' is not a regular expression");

        r = CommandLineIT.aqueduct("log", "list", dir.toString(), "--since", "yesterday");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--since 'yesterday' is not a time").contains("2024-05-01T12:00:00Z");

        r = CommandLineIT.aqueduct("log", "purge", dir.toString(), "--to", "62");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--to 62 is after the end").contains("give --to 61 or less");

        r = CommandLineIT.aqueduct("log", "readers", dir.toString(), "--forget", "ghost");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("no reader named 'ghost'").contains("aqueduct log readers " + dir);

        r = CommandLineIT.aqueduct("log");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("list, info, index, verify, purge, readers, serve or mirror");

        // after a purge, --from before the start
        assertThat(CommandLineIT.aqueduct("log", "purge", dir.toString(), "--to", "30").code()).isZero();
        r = CommandLineIT.aqueduct("log", "list", dir.toString(), "--from", "1");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--from 1 is before the start of the relay log").contains("earlier seqnos were purged");
    }

    @Test
    void infoSummarizesTheLogAndItsReaders() throws IOException {
        Path dir = log();
        LogReaders.acknowledge(dir, "shop-pg", 50, "10.0.0.5:51234 via relay server");
        LogReaders.acknowledge(dir, "local-copy", 60, "local");
        CommandLineIT.Result r = CommandLineIT.aqueduct("log", "info", dir.toString());
        assertThat(r.code()).as(r.err()).isZero();
        int segments = segments(dir).size();
        assertThat(segments).isGreaterThan(3);
        int records = records(dir).size();
        assertThat(records).as("blocks hold several transactions").isLessThan(62);
        assertThat(r.out()).contains("Relay log " + dir)
                .contains("segments:     " + segments + " (")
                .contains("seqnos:       1 to 60 (60 transactions, " + records + " records)")
                .contains("commit times: " + Instant.ofEpochMilli(T0 + 1000) + " (first) to " + Instant.ofEpochMilli(T0 + 60_000) + " (last)")
                .contains("epoch:        3")
                .contains("codec:        lz4 (" + segments + " segments); new segments: lz4")
                .contains("compression:  ")
                .contains("tail:         ends after a whole transaction")
                .contains("00000000000000000001.seg  seqnos 1 to ");
        assertThat(r.out().lines().filter(l -> l.contains("shop-pg")).findFirst().orElseThrow().split("\\s+"))
                .containsSequence("shop-pg", "50", "10");
        assertThat(r.out().lines().filter(l -> l.contains("local-copy")).findFirst().orElseThrow().split("\\s+"))
                .containsSequence("local-copy", "60", "0");
        assertThat(r.out()).contains("10.0.0.5:51234 via relay server");
    }

    @Test
    void indexShowsEveryEntry() throws IOException {
        Path dir = log();
        CommandLineIT.Result r = CommandLineIT.aqueduct("log", "index", dir.toString(), "--interval", "100");
        assertThat(r.code()).as(r.err()).isZero();
        for (Path s : segments(dir)) assertThat(r.out()).contains(s.getFileName().toString());
        // the first entry of the first segment is its first record, right after the 44-byte header
        List<String> lines = r.out().lines().toList();
        int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("00000000000000000001.seg")).findFirst().orElseThrow());
        assertThat(lines.get(header + 1)).contains("SEQNO").contains("OFFSET");
        assertThat(lines.get(header + 2).trim().split("\\s+"))
                .containsExactly("1", "44", Instant.ofEpochMilli(records(dir).get(0).commitTime()).toString(), "-");
        long entries = 0;
        try (LogInspector in = LogInspector.open(dir)) {
            for (LogInspector.Segment s : in.segments()) entries += in.index(s, 100).size();
        }
        assertThat(entries).isGreaterThan(segments(dir).size());
        assertThat(lines.stream().filter(l -> l.matches("\\s+\\d+\\s+\\d+\\s+\\S+\\s+\\S+")).count()).isEqualTo(entries);
    }

    @Test
    void verifyFindsAFlippedByteAndNamesTheFileAndOffset() throws IOException {
        Path dir = log();
        CommandLineIT.Result r = CommandLineIT.aqueduct("log", "verify", dir.toString());
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        List<LogInspector.Record> records = records(dir);
        assertThat(r.out()).contains("60 transactions (seqnos 1 to 60), " + records.size() + " records: no damage.");

        // a byte in the payload of a record in the middle of the log
        LogInspector.Record target = records.stream().filter(x -> x.seqno() <= 33 && 33 <= x.lastSeqno()).findFirst().orElseThrow();
        flip(target.file(), target.offset() + 50);
        r = CommandLineIT.aqueduct("log", "verify", dir.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("DAMAGED: " + target.file() + " at byte " + target.offset() + ": record CRC32C mismatch")
                .contains("Checked " + records.indexOf(target) + " records (" + (target.seqno() - 1) + " whole transactions) before it")
                .contains("fix: ");

        // the other commands stop at it too
        r = CommandLineIT.aqueduct("log", "list", dir.toString(), "--from", "30");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains(target.file() + " at byte " + target.offset());
        flip(target.file(), target.offset() + 50);
        assertThat(CommandLineIT.aqueduct("log", "verify", dir.toString()).code()).isZero();

        // a damaged reader file
        LogReaders.acknowledge(dir, "r1", 5, "local");
        Files.writeString(dir.resolve("readers").resolve("r1.json"), "{oops");
        r = CommandLineIT.aqueduct("log", "verify", dir.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("r1.json is damaged").contains("--forget r1");
        // purge deletes nothing then
        List<Path> before = segments(dir);
        r = CommandLineIT.aqueduct("log", "purge", dir.toString(), "--to", "30");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("r1.json is damaged").contains("Nothing was deleted.");
        assertThat(segments(dir)).isEqualTo(before);

        // a segment missing from the middle of the log
        Files.delete(before.get(3));
        r = CommandLineIT.aqueduct("log", "verify", dir.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("DAMAGED: " + before.get(4) + " at byte 8: the segment before it ends after seqno");
    }

    @Test
    void verifyAcceptsATransactionStillBeingWritten() throws IOException {
        Path dir = log();
        try (LogWriter w = LogWriter.open(dir, new LogWriterOptions(Codec.LZ4, 1024, FsyncPolicy.none(), 3))) {
            w.append(new Transaction(61, "gtid-61", "101", T0 + 61_000, null, changes(61), 0, false));
        }
        CommandLineIT.Result r = CommandLineIT.aqueduct("log", "verify", dir.toString());
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.out()).contains("no damage").contains("Tail: seqno 61 is unfinished");
        r = CommandLineIT.aqueduct("log", "list", dir.toString(), "--from", "60");
        assertThat(r.out().lines().skip(2).findFirst().orElseThrow()).startsWith("61 ").contains("unfinished");
    }

    @Test
    void purgeIsHeldBackByAReaderAndSaysHowToProceed() throws IOException {
        Path dir = log();
        List<Path> before = segments(dir);
        LogReaders.acknowledge(dir, "slow", 10, "10.0.0.7:40000 via relay server");

        CommandLineIT.Result r = CommandLineIT.aqueduct("log", "purge", dir.toString(), "--to", "40", "--dry-run");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("would delete " + before.get(0)).contains("reader 'slow' has acknowledged only seqno 10");
        assertThat(segments(dir)).isEqualTo(before);

        r = CommandLineIT.aqueduct("log", "purge", dir.toString(), "--to", "40");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("deleted " + before.get(0))
                .contains("reader 'slow' has acknowledged only seqno 10 (last at ")
                .contains("from 10.0.0.7:40000 via relay server) and still needs seqno 11 on")
                .contains("`aqueduct log readers " + dir + "`")
                .contains("`aqueduct log readers " + dir + " --forget slow`");
        List<Path> after = segments(dir);
        assertThat(after.size()).isLessThan(before.size());
        long first = Long.parseLong(after.get(0).getFileName().toString().replace(".seg", ""));
        assertThat(first).isLessThanOrEqualTo(11);
        assertThat(r.out()).contains("The log now begins at seqno " + first + ".");

        r = CommandLineIT.aqueduct("log", "readers", dir.toString());
        assertThat(r.code()).isZero();
        assertThat(r.out().lines().filter(l -> l.contains("slow")).findFirst().orElseThrow().split("\\s+"))
                .containsSequence("slow", "10", "50");

        r = CommandLineIT.aqueduct("log", "readers", dir.toString(), "--forget", "slow");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("Forgot reader 'slow' (it had acknowledged seqno 10)");
        assertThat(CommandLineIT.aqueduct("log", "readers", dir.toString()).out()).contains("none registered");

        r = CommandLineIT.aqueduct("log", "purge", dir.toString(), "--to", "61");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("the newest segment is never deleted");
        assertThat(segments(dir)).hasSize(1);
        assertThat(CommandLineIT.aqueduct("log", "verify", dir.toString()).code()).isZero();
    }

    static void flip(Path file, long at) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x40);
        }
    }
}
