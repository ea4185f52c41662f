package io.aqueduct.core.apply;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * Reads rows of one table from a database as the model's typed values (see {@link io.aqueduct.core.model.Values}),
 * typed by the SOURCE columns the reader was made for, so that rows read from a source and from a target compare.
 */
public interface RowReader {
    /** The select list for the columns, named {@code names} in this database (routes may rename them). */
    String selectList(List<String> names);

    /** The current row of a result set made with {@link #selectList}, columns 1..n. */
    Object[] read(ResultSet rs) throws SQLException;
}
