package io.aqueduct.log;

import io.aqueduct.core.config.Routes;
import io.aqueduct.core.filter.Router;
import io.aqueduct.core.model.Change;
import io.aqueduct.core.model.Position;
import io.aqueduct.core.model.TableSchema;
import io.aqueduct.core.model.Transaction;
import io.aqueduct.core.pipeline.Pipeline;
import io.aqueduct.core.pipeline.PositionStore;
import io.aqueduct.core.pipeline.Sink;
import io.aqueduct.core.pipeline.Source;
import io.aqueduct.core.pipeline.TransactionQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;

/** Fakes of the pipeline's own interfaces, and expectations built from the transactions a fake source sends. */
final class Pipelines {
    private Pipelines() {}

    static Pipeline pipeline(Source source, Sink sink, PositionStore store) {
        return new Pipeline(source, sink, new Router(Routes.NONE), store, 16L << 20, 500, Duration.ofMinutes(10),
                new Pipeline.Stats());
    }

    /**
     * A capture job's source: sends its transactions from the one after the stored position on, and then ends. Like a
     * real one it numbers what it sends from 0 on every run, and gives positions only to last fragments.
     */
    static final class ListSource implements Source {
        private final List<Transaction> transactions;

        ListSource(List<Transaction> transactions) {
            this.transactions = transactions;
        }

        @Override
        public Position parsePosition(String json) {
            return new LoggedPosition(json);
        }

        @Override
        public Position resolveStart() {
            throw new UnsupportedOperationException("the tests store a start position");
        }

        @Override
        public void run(Position from, TransactionQueue out) throws InterruptedException {
            int i = from == null ? 0 : after(from.toJson());
            long seq = 0;
            for (; i < transactions.size(); i++) {
                Transaction t = transactions.get(i);
                out.put(withSeq(t, seq));
                if (t.last()) seq++;
            }
        }

        private int after(String positionJson) {
            for (int i = transactions.size() - 1; i >= 0; i--) {
                Position p = transactions.get(i).position();
                if (p != null && p.toJson().equals(positionJson)) return i + 1;
            }
            throw new IllegalArgumentException("no transaction has the position " + positionJson);
        }

        @Override
        public List<TableSchema> tables() {
            return List.of();
        }

        @Override
        public void close() {}
    }

    /** A target that keeps what it is given. */
    static final class CollectingSink implements Sink {
        final List<Transaction> applied = Collections.synchronizedList(new ArrayList<>());

        @Override
        public int lanes() {
            return 1;
        }

        @Override
        public void open() {}

        @Override
        public void apply(int lane, List<Transaction> batch) {
            applied.addAll(batch);
        }

        @Override
        public void close() {}
    }

    static Transaction withSeq(Transaction t, long seq) {
        return new Transaction(seq, t.id(), t.origin(), t.commitTime(), t.position(), t.changes(), t.fragment(), t.last());
    }

    /** The transactions as the log holds them: numbered from {@code first} on, fragments sharing their seqno. */
    static List<Transaction> numbered(List<Transaction> transactions, long first) {
        List<Transaction> out = new ArrayList<>();
        long seq = first;
        for (Transaction t : transactions) {
            out.add(withSeq(t, seq));
            if (t.last()) seq++;
        }
        return out;
    }

    /** The log's transactions as a {@link LogSource} with that selection emits them. */
    static List<Transaction> asRead(List<Transaction> logged, Predicate<Change> selected) {
        List<Transaction> out = new ArrayList<>();
        for (Transaction t : logged) {
            out.add(new Transaction(t.seq(), t.id(), t.origin(), t.commitTime(), t.last() ? new LogSourcePosition(t.seq(), Logs.EPOCH) : null,
                    t.changes().stream().filter(selected).toList(), t.fragment(), t.last()));
        }
        return out;
    }

    /** What reaches a sink through the apply engine: whole transactions without changes do not. */
    static List<Transaction> reachingASink(List<Transaction> transactions) {
        return transactions.stream().filter(t -> !(t.isWhole() && t.changes().isEmpty())).toList();
    }
}
