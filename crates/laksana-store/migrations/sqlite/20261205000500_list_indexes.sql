-- What the lists of a busy installation (10,000 trainings, a thousand running) read on every
-- page: the current step of each listed training, a unit's newest trainings a page at a time,
-- and each invited Kabupaten/Kota's live nominations. Without these the planner sorted every
-- training of the unit for one page of 50, and counted nominations by scanning the table.
CREATE INDEX ix_step_runs_current ON step_runs(training_id) WHERE status = 'active';
CREATE INDEX ix_trainings_unit_id ON trainings(unit_id, id);
CREATE INDEX ix_nominations_recipient ON nominations(recipient_id, withdrawn_at);
