package io.aqueduct.core.apply;

import io.aqueduct.core.model.Column;
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

    /** The source columns the reader types its values by. */
    List<Column> columns();

    /** One value of the current row, at result-set column {@code index}, typed for the source column. */
    Object value(ResultSet rs, int index, Column column) throws SQLException;

    /** The current row of a result set made with {@link #selectList}, columns 1..n. */
    default Object[] read(ResultSet rs) throws SQLException {
        List<Column> columns = columns();
        Object[] row = new Object[columns.size()];
        for (int i = 0; i < row.length; i++) row[i] = value(rs, i + 1, columns.get(i));
        return row;
    }
}
