//! A framework as a reader sees it, read in one statement: its row, its number of lots, and the
//! kind of service of the reader's tenant (which decides `open_to_you`).
//!
//! The two extras are correlated subqueries in the framework's own `SELECT`, so a page is one
//! round trip to the database rather than one more for the lots and one for the reader's tenant
//! (a detail selects the tenant's kind alone, and counts the lots it reads anyway). They are written as expressions of their own, not `sql()` literals, because
//! diesel never keeps a statement holding a literal prepared; these are fixed SQL, so it does.
//! The tenant's kind is read fresh with every read rather than cached, since an administrator may
//! change it through any instance.

use diesel::QueryResult;
use diesel::backend::Backend;
use diesel::expression::{AppearsOnTable, Expression, SelectableExpression, ValidGrouping, is_aggregate};
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{BigInt, HasSqlType, Nullable, Text};

use super::model::FrameworkRow;
use crate::db::schema::frameworks;

#[derive(Debug)]
pub struct FrameworkView {
    pub row: FrameworkRow,
    pub lot_count: i64,
    /// `None` for a reader of no tenant, or when the token's tenant is not stored here.
    pub viewer_kind: Option<String>,
}

impl From<(FrameworkRow, i64, Option<String>)> for FrameworkView {
    fn from((row, lot_count, viewer_kind): (FrameworkRow, i64, Option<String>)) -> FrameworkView {
        FrameworkView {
            row,
            lot_count,
            viewer_kind,
        }
    }
}

/// The number of lots of the framework in the row being selected.
#[derive(Debug, Clone, Copy, QueryId)]
pub struct LotCount;

impl Expression for LotCount {
    type SqlType = BigInt;
}

impl<DB: Backend> QueryFragment<DB> for LotCount {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("(SELECT COUNT(*) FROM lots WHERE lots.framework_id = frameworks.id)");
        Ok(())
    }
}

/// The kind of the reader's tenant (`NULL` for none, or one not stored here).
#[derive(Debug, Clone, QueryId)]
pub struct ViewerKind(pub Option<String>);

impl Expression for ViewerKind {
    type SqlType = Nullable<Text>;
}

impl<DB> QueryFragment<DB> for ViewerKind
where
    DB: Backend + HasSqlType<Text>,
    String: ToSql<Text, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("(SELECT kind FROM tenants WHERE tenants.slug = ");
        out.push_bind_param::<Nullable<Text>, Option<String>>(&self.0)?;
        out.push_sql(")");
        Ok(())
    }
}

/// Both are columns of a frameworks query, and neither is an aggregate of it.
macro_rules! framework_column {
    ($name:ty) => {
        impl AppearsOnTable<frameworks::table> for $name {}
        impl SelectableExpression<frameworks::table> for $name {}
        impl ValidGrouping<()> for $name {
            type IsAggregate = is_aggregate::Never;
        }
    };
}
framework_column!(LotCount);
framework_column!(ViewerKind);
