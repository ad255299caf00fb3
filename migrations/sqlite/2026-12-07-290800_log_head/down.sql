-- Reverts 2026-12-07-290800_log_head.
DROP TABLE checkpoint_marks;
DROP TABLE log_head;
