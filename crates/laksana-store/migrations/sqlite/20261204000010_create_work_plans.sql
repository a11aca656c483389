-- The work plan (rencana kerja) of a training, one row per save: never updated, so step 2's
-- approval points at the exact version it approved and every round of a return is kept.
CREATE TABLE work_plans (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    training_id  INTEGER NOT NULL REFERENCES trainings(id),
    version      INTEGER NOT NULL,
    plan_json    TEXT NOT NULL,
    -- 1 when the plan had no error when saved (warnings allowed): the step's guard reads it.
    complete     INTEGER NOT NULL,
    saved_by     INTEGER NOT NULL REFERENCES users(id),
    saved_at     TEXT NOT NULL,
    CONSTRAINT uq_work_plan_version UNIQUE (training_id, version)
);

CREATE TRIGGER work_plans_no_update BEFORE UPDATE ON work_plans
BEGIN SELECT RAISE(ABORT, 'work_plans is append-only'); END;
