//! What the operations endpoints ask the database: is it answering, and the running totals
//! read at scrape time (so every server behind one database reports the same figure).

use sqlx::Row;

use crate::{Result, Store};

impl Store {
    /// One trivial query: the database answers.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Step runs completed so far, over every unit and training. Step runs are never deleted,
    /// so the figure only grows, as a Prometheus counter must.
    pub async fn steps_completed_total(&self) -> Result<i64> {
        Ok(
            sqlx::query("SELECT COUNT(*) AS n FROM step_runs WHERE completed_at IS NOT NULL")
                .fetch_one(&self.pool)
                .await?
                .try_get("n")?,
        )
    }
}
