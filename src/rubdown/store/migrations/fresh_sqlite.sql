-- The schema migrations 1 to 15 leave in a new SQLite database, statement for statement
-- as sqlite_master keeps it: a new home is made from it in one transaction (see fresh.py).
-- Written by: python -m rubdown.store.migrations.fresh (do not edit by hand: the lines
-- end in the spaces SQLAlchemy's DDL left, and the statements must match to the character).
-- version: 15
-- oldest_code_version: 9

CREATE TABLE runners (
	id TEXT NOT NULL, 
	name TEXT NOT NULL, 
	created_at DATETIME NOT NULL, data_version BIGINT DEFAULT 0 NOT NULL, loads_pending BIGINT DEFAULT 0 NOT NULL, 
	CONSTRAINT pk_runners PRIMARY KEY (id)
);

CREATE TABLE profiles (
	owner_id TEXT NOT NULL, 
	name TEXT NOT NULL, 
	policy TEXT NOT NULL, 
	frequency TEXT NOT NULL, 
	budget_per_month DOUBLE NOT NULL, 
	session_price DOUBLE NOT NULL, 
	owns TEXT NOT NULL, 
	conditions TEXT NOT NULL, 
	desk_job BOOLEAN NOT NULL, 
	timezone TEXT NOT NULL, 
	session_time TIME NOT NULL, 
	session_minutes INTEGER NOT NULL, 
	updated_at DATETIME NOT NULL, max_hr_bpm DOUBLE, resting_hr_bpm DOUBLE, threshold_hr_bpm DOUBLE, threshold_pace_s_per_km DOUBLE, sex TEXT, sports_price DOUBLE DEFAULT 70 NOT NULL, flush_price DOUBLE DEFAULT 45 NOT NULL, post_event_price DOUBLE DEFAULT 45 NOT NULL, units TEXT DEFAULT 'km' NOT NULL, 
	CONSTRAINT pk_profiles PRIMARY KEY (owner_id), 
	CONSTRAINT fk_profiles_owner_id_runners FOREIGN KEY(owner_id) REFERENCES runners (id) ON DELETE CASCADE
);

CREATE TABLE races (
	id TEXT NOT NULL, 
	owner_id TEXT NOT NULL, 
	name TEXT NOT NULL, 
	day DATE NOT NULL, 
	priority TEXT NOT NULL, 
	distance_km DOUBLE, 
	start_time TIME, 
	source TEXT NOT NULL, 
	source_uid TEXT, 
	created_at DATETIME NOT NULL, sequence INTEGER DEFAULT 0 NOT NULL, 
	CONSTRAINT pk_races PRIMARY KEY (id), 
	CONSTRAINT uq_races_owner_id_source_uid UNIQUE (owner_id, source_uid), 
	CONSTRAINT fk_races_owner_id_runners FOREIGN KEY(owner_id) REFERENCES runners (id) ON DELETE CASCADE
);

CREATE TABLE workouts (
	id TEXT NOT NULL, 
	owner_id TEXT NOT NULL, 
	day DATE NOT NULL, 
	kind TEXT NOT NULL, 
	duration_min DOUBLE, 
	source TEXT NOT NULL, 
	source_uid TEXT, 
	created_at DATETIME NOT NULL, pattern_id TEXT, 
	CONSTRAINT pk_workouts PRIMARY KEY (id), 
	CONSTRAINT uq_workouts_owner_id_source_uid UNIQUE (owner_id, source_uid), 
	CONSTRAINT fk_workouts_owner_id_runners FOREIGN KEY(owner_id) REFERENCES runners (id) ON DELETE CASCADE
);

CREATE TABLE massage_sessions (
	id TEXT NOT NULL, 
	owner_id TEXT NOT NULL, 
	day DATE NOT NULL, 
	kind TEXT NOT NULL, 
	regions TEXT NOT NULL, 
	price DOUBLE NOT NULL, 
	note TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_massage_sessions PRIMARY KEY (id), 
	CONSTRAINT fk_massage_sessions_owner_id_runners FOREIGN KEY(owner_id) REFERENCES runners (id) ON DELETE CASCADE
);

CREATE TABLE checkins (
	id TEXT NOT NULL, 
	owner_id TEXT NOT NULL, 
	day DATE NOT NULL, 
	note TEXT NOT NULL, 
	created_at DATETIME NOT NULL, fatigue INTEGER CONSTRAINT ck_checkins_fatigue_range CHECK (fatigue BETWEEN 1 AND 4), sleep INTEGER CONSTRAINT ck_checkins_sleep_range CHECK (sleep BETWEEN 1 AND 4), 
	CONSTRAINT pk_checkins PRIMARY KEY (id), 
	CONSTRAINT uq_checkins_id_owner_id UNIQUE (id, owner_id), 
	CONSTRAINT fk_checkins_owner_id_runners FOREIGN KEY(owner_id) REFERENCES runners (id) ON DELETE CASCADE
);

CREATE TABLE planned_sessions (
	owner_id TEXT NOT NULL, 
	"key" TEXT NOT NULL, 
	day DATE NOT NULL, 
	kind TEXT NOT NULL, 
	regions TEXT NOT NULL, 
	price DOUBLE NOT NULL, 
	reason TEXT NOT NULL, 
	rules TEXT NOT NULL, 
	start_time TIME, 
	duration_min INTEGER NOT NULL, 
	sequence INTEGER NOT NULL, 
	fingerprint TEXT NOT NULL, 
	updated_at DATETIME NOT NULL, pinned BOOLEAN DEFAULT 0 NOT NULL, 
	CONSTRAINT pk_planned_sessions PRIMARY KEY (owner_id, "key"), 
	CONSTRAINT fk_planned_sessions_owner_id_runners FOREIGN KEY(owner_id) REFERENCES runners (id) ON DELETE CASCADE
);

CREATE TABLE checkin_regions (
	checkin_id TEXT NOT NULL, 
	owner_id TEXT NOT NULL, 
	region TEXT NOT NULL, 
	soreness INTEGER, 
	pain TEXT, 
	CONSTRAINT pk_checkin_regions PRIMARY KEY (checkin_id, region), 
	CONSTRAINT fk_checkin_regions_checkin_id_owner_id_checkins FOREIGN KEY(checkin_id, owner_id) REFERENCES checkins (id, owner_id) ON DELETE CASCADE, 
	CONSTRAINT ck_checkin_regions_soreness_range CHECK (soreness IS NULL OR soreness BETWEEN 0 AND 10), 
	CONSTRAINT ck_checkin_regions_says_something CHECK (soreness IS NOT NULL OR pain IS NOT NULL), 
	CONSTRAINT fk_checkin_regions_owner_id_runners FOREIGN KEY(owner_id) REFERENCES runners (id) ON DELETE CASCADE
);

CREATE TABLE rubdown_schema (
	id INTEGER NOT NULL, 
	version INTEGER NOT NULL, 
	migrated_at DATETIME NOT NULL, oldest_code_version INTEGER DEFAULT 9 NOT NULL, 
	PRIMARY KEY (id)
);

CREATE TABLE activities (
	id TEXT NOT NULL, 
	owner_id TEXT NOT NULL, 
	sport TEXT NOT NULL, 
	name TEXT NOT NULL, 
	start_utc DATETIME NOT NULL, 
	utc_offset_s INTEGER, 
	local_day DATE NOT NULL, 
	duration_s DOUBLE NOT NULL, 
	moving_s DOUBLE, 
	distance_m DOUBLE, 
	elevation_gain_m DOUBLE, 
	avg_hr_bpm DOUBLE, 
	max_hr_bpm DOUBLE, 
	laps TEXT NOT NULL, 
	records INTEGER NOT NULL, 
	partial BOOLEAN NOT NULL, 
	richness INTEGER NOT NULL, 
	load DOUBLE, 
	load_method TEXT NOT NULL, 
	load_basis TEXT, 
	kind TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, rpe DOUBLE CONSTRAINT ck_activities_rpe_range CHECK (rpe BETWEEN 0 AND 10), manual_kind TEXT, 
	CONSTRAINT pk_activities PRIMARY KEY (id), 
	CONSTRAINT fk_activities_owner_id_runners FOREIGN KEY(owner_id) REFERENCES runners (id) ON DELETE CASCADE
);

CREATE TABLE imported_files (
	owner_id TEXT NOT NULL, 
	sha256 TEXT NOT NULL, 
	format TEXT NOT NULL, 
	shown TEXT NOT NULL, 
	status TEXT NOT NULL, 
	activities INTEGER NOT NULL, 
	records INTEGER NOT NULL, 
	error TEXT, 
	export TEXT NOT NULL, 
	container TEXT NOT NULL, 
	"inner" TEXT NOT NULL, 
	imported_at DATETIME NOT NULL, 
	CONSTRAINT pk_imported_files PRIMARY KEY (owner_id, sha256), 
	CONSTRAINT fk_imported_files_owner_id_runners FOREIGN KEY(owner_id) REFERENCES runners (id) ON DELETE CASCADE
);

CREATE TABLE wellness (
	owner_id TEXT NOT NULL, 
	day DATE NOT NULL, 
	source TEXT NOT NULL, 
	resting_hr_bpm DOUBLE, 
	hrv_ms DOUBLE, 
	sleep_s DOUBLE, 
	sleep_score DOUBLE, 
	updated_at DATETIME NOT NULL, 
	CONSTRAINT pk_wellness PRIMARY KEY (owner_id, day, source), 
	CONSTRAINT fk_wellness_owner_id_runners FOREIGN KEY(owner_id) REFERENCES runners (id) ON DELETE CASCADE
);

CREATE TABLE activity_streams (
	activity_id TEXT NOT NULL, 
	owner_id TEXT NOT NULL, 
	samples INTEGER NOT NULL, 
	encoding TEXT NOT NULL, 
	data BLOB NOT NULL, 
	CONSTRAINT pk_activity_streams PRIMARY KEY (activity_id), 
	CONSTRAINT fk_activity_streams_activity_id_activities FOREIGN KEY(activity_id) REFERENCES activities (id) ON DELETE CASCADE, 
	CONSTRAINT fk_activity_streams_owner_id_runners FOREIGN KEY(owner_id) REFERENCES runners (id) ON DELETE CASCADE
);

CREATE TABLE activity_sources (
	id TEXT NOT NULL, 
	owner_id TEXT NOT NULL, 
	activity_id TEXT NOT NULL, 
	format TEXT NOT NULL, 
	sha256 TEXT NOT NULL, 
	shown TEXT NOT NULL, 
	source_ref TEXT NOT NULL, 
	imported_at DATETIME NOT NULL, 
	CONSTRAINT pk_activity_sources PRIMARY KEY (id), 
	CONSTRAINT uq_activity_sources_owner_id_activity_id_sha256_source_ref UNIQUE (owner_id, activity_id, sha256, source_ref), 
	CONSTRAINT fk_activity_sources_owner_id_runners FOREIGN KEY(owner_id) REFERENCES runners (id) ON DELETE CASCADE, 
	CONSTRAINT fk_activity_sources_activity_id_activities FOREIGN KEY(activity_id) REFERENCES activities (id) ON DELETE CASCADE
);

CREATE TABLE injuries (
	id TEXT NOT NULL, 
	owner_id TEXT NOT NULL, 
	region TEXT NOT NULL, 
	condition TEXT NOT NULL, 
	start DATE NOT NULL, 
	"end" DATE, 
	helped TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_injuries PRIMARY KEY (id), 
	CONSTRAINT ck_injuries_ends_after_start CHECK ("end" IS NULL OR "end" >= start), 
	CONSTRAINT fk_injuries_owner_id_runners FOREIGN KEY(owner_id) REFERENCES runners (id) ON DELETE CASCADE
);

CREATE TABLE routine_logs (
	id TEXT NOT NULL, 
	owner_id TEXT NOT NULL, 
	day DATE NOT NULL, 
	"when" TEXT NOT NULL, 
	started_at DATETIME NOT NULL, 
	steps_done INTEGER NOT NULL, 
	steps_skipped INTEGER NOT NULL, 
	seconds DOUBLE NOT NULL, 
	completed BOOLEAN NOT NULL, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_routine_logs PRIMARY KEY (id), 
	CONSTRAINT fk_routine_logs_owner_id_runners FOREIGN KEY(owner_id) REFERENCES runners (id) ON DELETE CASCADE
);

CREATE TABLE feed_secrets (
	owner_id TEXT NOT NULL, 
	secret_hash TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_feed_secrets PRIMARY KEY (owner_id), 
	CONSTRAINT fk_feed_secrets_owner_id_runners FOREIGN KEY(owner_id) REFERENCES runners (id) ON DELETE CASCADE, 
	CONSTRAINT uq_feed_secrets_secret_hash UNIQUE (secret_hash)
);

CREATE TABLE therapist_hours (
	owner_id TEXT NOT NULL, 
	weekday INTEGER NOT NULL, 
	start_minute INTEGER NOT NULL, 
	end_minute INTEGER NOT NULL, 
	updated_at DATETIME NOT NULL, 
	CONSTRAINT pk_therapist_hours PRIMARY KEY (owner_id, weekday, start_minute), 
	CONSTRAINT ck_therapist_hours_weekday_range CHECK (weekday BETWEEN 0 AND 6), 
	CONSTRAINT ck_therapist_hours_minutes_range CHECK (start_minute >= 0 AND end_minute > start_minute AND end_minute <= 1440), 
	CONSTRAINT fk_therapist_hours_owner_id_runners FOREIGN KEY(owner_id) REFERENCES runners (id) ON DELETE CASCADE
);

CREATE TABLE workout_patterns (
	id TEXT NOT NULL, 
	owner_id TEXT NOT NULL, 
	first_day DATE NOT NULL, 
	last_day DATE NOT NULL, 
	spec TEXT NOT NULL, 
	recovery_every INTEGER, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_workout_patterns PRIMARY KEY (id), 
	CONSTRAINT fk_workout_patterns_owner_id_runners FOREIGN KEY(owner_id) REFERENCES runners (id) ON DELETE CASCADE
);

CREATE TABLE recovery_weeks (
	owner_id TEXT NOT NULL, 
	first_day DATE NOT NULL, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_recovery_weeks PRIMARY KEY (owner_id, first_day), 
	CONSTRAINT fk_recovery_weeks_owner_id_runners FOREIGN KEY(owner_id) REFERENCES runners (id) ON DELETE CASCADE
);

CREATE TABLE checkin_signs (
	checkin_id TEXT NOT NULL, 
	owner_id TEXT NOT NULL, 
	region TEXT NOT NULL, 
	sign TEXT NOT NULL, 
	CONSTRAINT pk_checkin_signs PRIMARY KEY (checkin_id, region, sign), 
	CONSTRAINT fk_checkin_signs_checkin_id_owner_id_checkins FOREIGN KEY(checkin_id, owner_id) REFERENCES checkins (id, owner_id) ON DELETE CASCADE, 
	CONSTRAINT fk_checkin_signs_owner_id_runners FOREIGN KEY(owner_id) REFERENCES runners (id) ON DELETE CASCADE
);

CREATE TABLE users (
	id TEXT NOT NULL, 
	email TEXT NOT NULL, 
	role TEXT NOT NULL, 
	password_hash TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	disabled_at DATETIME, 
	CONSTRAINT pk_users PRIMARY KEY (id), 
	CONSTRAINT ck_users_role_known CHECK (role IN ('runner', 'therapist', 'admin')), 
	CONSTRAINT uq_users_email UNIQUE (email)
);

CREATE TABLE user_sessions (
	token_hash TEXT NOT NULL, 
	user_id TEXT NOT NULL, 
	csrf_token TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	expires_at DATETIME NOT NULL, 
	last_seen_at DATETIME NOT NULL, 
	revoked_at DATETIME, 
	address TEXT, 
	CONSTRAINT pk_user_sessions PRIMARY KEY (token_hash), 
	CONSTRAINT fk_user_sessions_user_id_users FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE invitations (
	token_hash TEXT NOT NULL, 
	email TEXT NOT NULL, 
	role TEXT NOT NULL, 
	created_by TEXT, 
	created_at DATETIME NOT NULL, 
	expires_at DATETIME NOT NULL, 
	used_at DATETIME, 
	CONSTRAINT pk_invitations PRIMARY KEY (token_hash), 
	CONSTRAINT ck_invitations_role_known CHECK (role IN ('runner', 'therapist', 'admin')), 
	CONSTRAINT fk_invitations_created_by_users FOREIGN KEY(created_by) REFERENCES users (id) ON DELETE SET NULL
);

CREATE TABLE login_attempts (
	id INTEGER NOT NULL, 
	email TEXT NOT NULL, 
	address TEXT, 
	at DATETIME NOT NULL, 
	ok BOOLEAN NOT NULL, 
	CONSTRAINT pk_login_attempts PRIMARY KEY (id)
);

CREATE TABLE grants (
	id TEXT NOT NULL, 
	runner_id TEXT NOT NULL, 
	therapist_id TEXT NOT NULL, 
	calendar BOOLEAN NOT NULL, 
	wellness BOOLEAN NOT NULL, 
	training BOOLEAN NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	revoked_at DATETIME, 
	CONSTRAINT pk_grants PRIMARY KEY (id), 
	CONSTRAINT fk_grants_runner_id_runners FOREIGN KEY(runner_id) REFERENCES runners (id) ON DELETE CASCADE, 
	CONSTRAINT fk_grants_therapist_id_users FOREIGN KEY(therapist_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE access_log (
	id TEXT NOT NULL, 
	runner_id TEXT NOT NULL, 
	viewer_id TEXT NOT NULL, 
	grant_id TEXT NOT NULL, 
	level TEXT NOT NULL, 
	what TEXT NOT NULL, 
	at DATETIME NOT NULL, 
	CONSTRAINT pk_access_log PRIMARY KEY (id), 
	CONSTRAINT ck_access_log_level_known CHECK (level IN ('calendar', 'wellness', 'training')), 
	CONSTRAINT fk_access_log_runner_id_runners FOREIGN KEY(runner_id) REFERENCES runners (id) ON DELETE CASCADE, 
	CONSTRAINT fk_access_log_viewer_id_users FOREIGN KEY(viewer_id) REFERENCES users (id) ON DELETE CASCADE, 
	CONSTRAINT fk_access_log_grant_id_grants FOREIGN KEY(grant_id) REFERENCES grants (id) ON DELETE CASCADE
);

CREATE TABLE import_jobs (
	id TEXT NOT NULL, 
	owner_id TEXT NOT NULL, 
	state TEXT NOT NULL, 
	phase TEXT NOT NULL, 
	salvage BOOLEAN NOT NULL, 
	uploads TEXT NOT NULL, 
	uploaded_files INTEGER NOT NULL, 
	files_done INTEGER DEFAULT 0 NOT NULL, 
	files_total INTEGER, 
	current_file TEXT, 
	attempts INTEGER DEFAULT 0 NOT NULL, 
	report TEXT, 
	error TEXT, 
	created_at DATETIME NOT NULL, 
	importing_since DATETIME, 
	finished_at DATETIME, 
	CONSTRAINT pk_import_jobs PRIMARY KEY (id), 
	CONSTRAINT fk_import_jobs_owner_id_runners FOREIGN KEY(owner_id) REFERENCES runners (id) ON DELETE CASCADE
);

CREATE TABLE import_upload_chunks (
	job_id TEXT NOT NULL, 
	file_no INTEGER NOT NULL, 
	chunk_no INTEGER NOT NULL, 
	data BLOB NOT NULL, 
	CONSTRAINT pk_import_upload_chunks PRIMARY KEY (job_id, file_no, chunk_no), 
	CONSTRAINT fk_import_upload_chunks_job_id_import_jobs FOREIGN KEY(job_id) REFERENCES import_jobs (id) ON DELETE CASCADE
);

CREATE TABLE kept_originals (
	sha256 TEXT NOT NULL, 
	compressed BOOLEAN NOT NULL, 
	stored_bytes BIGINT NOT NULL, 
	kept_at DATETIME NOT NULL, 
	CONSTRAINT pk_kept_originals PRIMARY KEY (sha256)
);

CREATE TABLE kept_original_chunks (
	sha256 TEXT NOT NULL, 
	chunk_no INTEGER NOT NULL, 
	data BLOB NOT NULL, 
	CONSTRAINT pk_kept_original_chunks PRIMARY KEY (sha256, chunk_no), 
	CONSTRAINT fk_kept_original_chunks_sha256_kept_originals FOREIGN KEY(sha256) REFERENCES kept_originals (sha256) ON DELETE CASCADE
);

CREATE TABLE clinic_clients (
	id TEXT NOT NULL, 
	therapist_id TEXT NOT NULL, 
	name TEXT NOT NULL, 
	policy TEXT NOT NULL, 
	conditions TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_clinic_clients PRIMARY KEY (id), 
	CONSTRAINT fk_clinic_clients_therapist_id_users FOREIGN KEY(therapist_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE clinic_client_races (
	id TEXT NOT NULL, 
	therapist_id TEXT NOT NULL, 
	client_id TEXT NOT NULL, 
	name TEXT NOT NULL, 
	day DATE NOT NULL, 
	priority TEXT NOT NULL, 
	distance_km DOUBLE, 
	CONSTRAINT pk_clinic_client_races PRIMARY KEY (id), 
	CONSTRAINT fk_clinic_client_races_therapist_id_users FOREIGN KEY(therapist_id) REFERENCES users (id) ON DELETE CASCADE, 
	CONSTRAINT fk_clinic_client_races_client_id_clinic_clients FOREIGN KEY(client_id) REFERENCES clinic_clients (id) ON DELETE CASCADE
);

CREATE TABLE clinic_services (
	id TEXT NOT NULL, 
	therapist_id TEXT NOT NULL, 
	kind TEXT NOT NULL, 
	name TEXT NOT NULL, 
	length_min INTEGER NOT NULL, 
	price DOUBLE NOT NULL, 
	buffer_min INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_clinic_services PRIMARY KEY (id), 
	CONSTRAINT fk_clinic_services_therapist_id_users FOREIGN KEY(therapist_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE clinic_rules (
	therapist_id TEXT NOT NULL, 
	timezone TEXT NOT NULL, 
	hours TEXT NOT NULL, 
	days_off TEXT NOT NULL, 
	min_notice_h INTEGER NOT NULL, 
	max_hands_on_h_per_day DOUBLE NOT NULL, 
	max_sessions_per_week INTEGER, 
	buffer_min INTEGER NOT NULL, 
	updated_at DATETIME NOT NULL, 
	CONSTRAINT pk_clinic_rules PRIMARY KEY (therapist_id), 
	CONSTRAINT fk_clinic_rules_therapist_id_users FOREIGN KEY(therapist_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE clinic_bookings (
	id TEXT NOT NULL, 
	therapist_id TEXT NOT NULL, 
	client_kind TEXT NOT NULL, 
	client_id TEXT NOT NULL, 
	service_id TEXT NOT NULL, 
	kind TEXT NOT NULL, 
	start_at DATETIME NOT NULL, 
	length_min INTEGER NOT NULL, 
	buffer_min INTEGER NOT NULL, 
	price DOUBLE NOT NULL, 
	regions TEXT NOT NULL, 
	booked_by TEXT NOT NULL, 
	booked_at DATETIME NOT NULL, 
	override_reason TEXT, 
	overridden_by TEXT, 
	overridden_at DATETIME, 
	override_refused TEXT, 
	cancel_reason TEXT, 
	cancelled_by TEXT, 
	cancelled_at DATETIME, 
	CONSTRAINT pk_clinic_bookings PRIMARY KEY (id), 
	CONSTRAINT ck_clinic_bookings_client_kind_known CHECK (client_kind IN ('runner', 'managed')), 
	CONSTRAINT fk_clinic_bookings_therapist_id_users FOREIGN KEY(therapist_id) REFERENCES users (id) ON DELETE CASCADE, 
	CONSTRAINT fk_clinic_bookings_service_id_clinic_services FOREIGN KEY(service_id) REFERENCES clinic_services (id)
);

CREATE TABLE clinic_waitlist (
	id TEXT NOT NULL, 
	therapist_id TEXT NOT NULL, 
	client_kind TEXT NOT NULL, 
	client_id TEXT NOT NULL, 
	day DATE NOT NULL, 
	service_id TEXT NOT NULL, 
	note TEXT NOT NULL, 
	added_at DATETIME NOT NULL, 
	CONSTRAINT pk_clinic_waitlist PRIMARY KEY (id), 
	CONSTRAINT ck_clinic_waitlist_client_kind_known CHECK (client_kind IN ('runner', 'managed')), 
	CONSTRAINT fk_clinic_waitlist_therapist_id_users FOREIGN KEY(therapist_id) REFERENCES users (id) ON DELETE CASCADE, 
	CONSTRAINT fk_clinic_waitlist_service_id_clinic_services FOREIGN KEY(service_id) REFERENCES clinic_services (id)
);

CREATE TABLE clinic_intakes (
	id TEXT NOT NULL, 
	therapist_id TEXT NOT NULL, 
	client_kind TEXT NOT NULL, 
	client_id TEXT NOT NULL, 
	signed_name TEXT NOT NULL, 
	signed_at DATETIME NOT NULL, 
	consent BOOLEAN NOT NULL, 
	health_history TEXT NOT NULL, 
	CONSTRAINT pk_clinic_intakes PRIMARY KEY (id), 
	CONSTRAINT ck_clinic_intakes_client_kind_known CHECK (client_kind IN ('runner', 'managed')), 
	CONSTRAINT fk_clinic_intakes_therapist_id_users FOREIGN KEY(therapist_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE clinic_intake_answers (
	intake_id TEXT NOT NULL, 
	question_id TEXT NOT NULL, 
	therapist_id TEXT NOT NULL, 
	yes BOOLEAN NOT NULL, 
	regions TEXT NOT NULL, 
	detail TEXT NOT NULL, 
	CONSTRAINT pk_clinic_intake_answers PRIMARY KEY (intake_id, question_id), 
	CONSTRAINT fk_clinic_intake_answers_intake_id_clinic_intakes FOREIGN KEY(intake_id) REFERENCES clinic_intakes (id) ON DELETE CASCADE, 
	CONSTRAINT fk_clinic_intake_answers_therapist_id_users FOREIGN KEY(therapist_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE clinic_notes (
	id TEXT NOT NULL, 
	therapist_id TEXT NOT NULL, 
	booking_id TEXT NOT NULL, 
	client_kind TEXT NOT NULL, 
	client_id TEXT NOT NULL, 
	author_id TEXT NOT NULL, 
	written_at DATETIME NOT NULL, 
	body TEXT NOT NULL, 
	CONSTRAINT pk_clinic_notes PRIMARY KEY (id), 
	CONSTRAINT ck_clinic_notes_client_kind_known CHECK (client_kind IN ('runner', 'managed')), 
	CONSTRAINT fk_clinic_notes_therapist_id_users FOREIGN KEY(therapist_id) REFERENCES users (id) ON DELETE CASCADE, 
	CONSTRAINT fk_clinic_notes_booking_id_clinic_bookings FOREIGN KEY(booking_id) REFERENCES clinic_bookings (id) ON DELETE CASCADE
);

CREATE TABLE clinic_note_amendments (
	id TEXT NOT NULL, 
	therapist_id TEXT NOT NULL, 
	note_id TEXT NOT NULL, 
	author_id TEXT NOT NULL, 
	written_at DATETIME NOT NULL, 
	reason TEXT NOT NULL, 
	body TEXT NOT NULL, 
	CONSTRAINT pk_clinic_note_amendments PRIMARY KEY (id), 
	CONSTRAINT fk_clinic_note_amendments_therapist_id_users FOREIGN KEY(therapist_id) REFERENCES users (id) ON DELETE CASCADE, 
	CONSTRAINT fk_clinic_note_amendments_note_id_clinic_notes FOREIGN KEY(note_id) REFERENCES clinic_notes (id) ON DELETE CASCADE
);

CREATE TABLE clinic_note_sharing (
	therapist_id TEXT NOT NULL, 
	client_kind TEXT NOT NULL, 
	client_id TEXT NOT NULL, 
	allowed BOOLEAN NOT NULL, 
	changed_at DATETIME NOT NULL, 
	CONSTRAINT pk_clinic_note_sharing PRIMARY KEY (therapist_id, client_kind, client_id), 
	CONSTRAINT ck_clinic_note_sharing_client_kind_known CHECK (client_kind IN ('runner', 'managed')), 
	CONSTRAINT fk_clinic_note_sharing_therapist_id_users FOREIGN KEY(therapist_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE clinic_team_members (
	lead_id TEXT NOT NULL, 
	member_id TEXT NOT NULL, 
	invited_at DATETIME NOT NULL, 
	accepted_at DATETIME, 
	CONSTRAINT pk_clinic_team_members PRIMARY KEY (lead_id, member_id), 
	CONSTRAINT ck_clinic_team_members_not_self CHECK (lead_id <> member_id), 
	CONSTRAINT fk_clinic_team_members_lead_id_users FOREIGN KEY(lead_id) REFERENCES users (id) ON DELETE CASCADE, 
	CONSTRAINT fk_clinic_team_members_member_id_users FOREIGN KEY(member_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE clinic_client_preferences (
	therapist_id TEXT NOT NULL, 
	client_kind TEXT NOT NULL, 
	client_id TEXT NOT NULL, 
	preferences TEXT NOT NULL, 
	changed_at DATETIME NOT NULL, 
	CONSTRAINT pk_clinic_client_preferences PRIMARY KEY (therapist_id, client_kind, client_id), 
	CONSTRAINT ck_clinic_client_preferences_client_kind_known CHECK (client_kind IN ('runner', 'managed')), 
	CONSTRAINT fk_clinic_client_preferences_therapist_id_users FOREIGN KEY(therapist_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE clinic_feed_secrets (
	therapist_id TEXT NOT NULL, 
	"view" TEXT NOT NULL, 
	secret_hash TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_clinic_feed_secrets PRIMARY KEY (therapist_id, "view"), 
	CONSTRAINT ck_clinic_feed_secrets_view_known CHECK (view IN ('full', 'busy')), 
	CONSTRAINT fk_clinic_feed_secrets_therapist_id_users FOREIGN KEY(therapist_id) REFERENCES users (id) ON DELETE CASCADE, 
	CONSTRAINT uq_clinic_feed_secrets_secret_hash UNIQUE (secret_hash)
);

CREATE INDEX ix_access_log_runner_id_at ON access_log (runner_id, at);

CREATE INDEX ix_activities_owner_id_local_day ON activities (owner_id, local_day);

CREATE INDEX ix_activities_owner_id_start_utc ON activities (owner_id, start_utc);

CREATE INDEX ix_activity_sources_activity_id ON activity_sources (activity_id);

CREATE INDEX ix_clinic_bookings_therapist_id_client_kind_client_id ON clinic_bookings (therapist_id, client_kind, client_id);

CREATE INDEX ix_clinic_bookings_therapist_id_start_at ON clinic_bookings (therapist_id, start_at);

CREATE INDEX ix_clinic_client_races_client_id ON clinic_client_races (client_id);

CREATE INDEX ix_clinic_clients_therapist_id ON clinic_clients (therapist_id);

CREATE INDEX ix_clinic_intakes_therapist_id_client_kind_client_id_signed_at ON clinic_intakes (therapist_id, client_kind, client_id, signed_at);

CREATE INDEX ix_clinic_note_amendments_note_id_written_at ON clinic_note_amendments (note_id, written_at);

CREATE INDEX ix_clinic_notes_therapist_id_booking_id ON clinic_notes (therapist_id, booking_id);

CREATE INDEX ix_clinic_notes_therapist_id_client_kind_client_id ON clinic_notes (therapist_id, client_kind, client_id);

CREATE INDEX ix_clinic_services_therapist_id ON clinic_services (therapist_id);

CREATE INDEX ix_clinic_team_members_member_id ON clinic_team_members (member_id);

CREATE INDEX ix_clinic_waitlist_therapist_id_day_added_at ON clinic_waitlist (therapist_id, day, added_at);

CREATE INDEX ix_grants_therapist_id ON grants (therapist_id);

CREATE INDEX ix_import_jobs_owner_id_created_at ON import_jobs (owner_id, created_at);

CREATE INDEX ix_injuries_owner_id_start ON injuries (owner_id, start);

CREATE INDEX ix_login_attempts_address_at ON login_attempts (address, at);

CREATE INDEX ix_login_attempts_email_at ON login_attempts (email, at);

CREATE INDEX ix_massage_sessions_owner_id_day ON massage_sessions (owner_id, day);

CREATE INDEX ix_races_owner_id_day ON races (owner_id, day);

CREATE INDEX ix_routine_logs_owner_id_day ON routine_logs (owner_id, day);

CREATE INDEX ix_user_sessions_user_id ON user_sessions (user_id);

CREATE INDEX ix_workout_patterns_owner_id ON workout_patterns (owner_id);

CREATE INDEX ix_workouts_owner_id_day ON workouts (owner_id, day);

CREATE UNIQUE INDEX uq_checkins_owner_id_day ON checkins (owner_id, day);

CREATE UNIQUE INDEX uq_grants_active_runner_id_therapist_id ON grants (runner_id, therapist_id) WHERE revoked_at IS NULL;

CREATE TRIGGER clinic_bookings_bump_runner_delete AFTER DELETE ON clinic_bookings BEGIN UPDATE runners SET data_version = data_version + 1 WHERE id = OLD.client_id AND OLD.client_kind = 'runner'; END;

CREATE TRIGGER clinic_bookings_bump_runner_insert AFTER INSERT ON clinic_bookings BEGIN UPDATE runners SET data_version = data_version + 1 WHERE id = NEW.client_id AND NEW.client_kind = 'runner'; END;

CREATE TRIGGER clinic_bookings_bump_runner_update AFTER UPDATE ON clinic_bookings BEGIN UPDATE runners SET data_version = data_version + 1 WHERE id = OLD.client_id AND OLD.client_kind = 'runner'; UPDATE runners SET data_version = data_version + 1 WHERE id = NEW.client_id AND NEW.client_kind = 'runner'; END;

CREATE TRIGGER clinic_note_amendments_append_only BEFORE UPDATE ON clinic_note_amendments BEGIN SELECT RAISE(ABORT, 'clinic_note_amendments rows are append-only: add an amendment instead'); END;

CREATE TRIGGER clinic_notes_append_only BEFORE UPDATE ON clinic_notes BEGIN SELECT RAISE(ABORT, 'clinic_notes rows are append-only: add an amendment instead'); END;
