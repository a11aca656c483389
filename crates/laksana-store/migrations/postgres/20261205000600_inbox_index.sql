-- The inbox (count and page of a role's active steps, most urgent first) and the committees'
-- lookup read only active steps by role. The old index on (status, pelaksana) held every step
-- run ever made (over 100,000 with 10,000 trainings) and sent each match back to the table for
-- its columns; this one holds only the active ones, with every column the inbox shows, so the
-- count and the page are read from the index alone (status too, or SQLite goes back to the row
-- to check the partial index's condition).
DROP INDEX ix_step_runs_active;
CREATE INDEX ix_step_runs_inbox
    ON step_runs(pelaksana, due_at, id, training_id, step_no, round, started_at, due_problem, status)
    WHERE status = 'active';
