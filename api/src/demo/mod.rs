pub fn load(_conn: &mut crate::db::DbConnection) -> anyhow::Result<()> { Ok(()) }
