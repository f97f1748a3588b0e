-- Before 0018 every staff note given with a status change was shown to the reporter on /lacak. From now on a
-- note is internal unless the staff member replies to the reporter (note_public). What stays public is what was
-- shown as a reason the reporter needs: why a report was rejected, marked a duplicate or forwarded, when the note
-- is that reason. Notes given beside such a reason, and every other note, become internal.
-- The history is append-only (complaint_event_append_only); this one marking of existing rows is the exception.
ALTER TABLE complaint_event DISABLE TRIGGER complaint_event_append_only;
UPDATE complaint_event
   SET note_public = true
 WHERE note IS NOT NULL
   AND actor_role <> 'public'
   AND ((data ->> 'action' IN ('reject', 'duplicate', 'forward') AND note = data ->> 'reason')
        -- written before events named their action (the demo's history): a rejection's or duplicate's note
        OR (data ->> 'action' IS NULL AND kind = 'status_changed' AND to_status IN ('ditolak', 'duplikat')));
ALTER TABLE complaint_event ENABLE TRIGGER complaint_event_append_only;
