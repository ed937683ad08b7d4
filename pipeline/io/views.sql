-- Views over the store that answer the common questions without joins (created by pipeline/store.py).
CREATE OR REPLACE VIEW commitments AS
SELECT t.doc_id, d.source, d.title, d.doc_number, d.province, d.city, d.county, d.issue_date, d.ref_year,
       t.target_id, t.task_id, t.indicator, t.kind, t.comparator, t.value, t.unit, t.value_base, t.unit_base,
       t.baseline_value, t.period, t.due, t.lead_units, t.start, t."end", t.text
FROM targets t JOIN documents d USING (doc_id);

CREATE OR REPLACE VIEW unit_workload AS
WITH resp AS (
    SELECT r.canonical, r.role, r.doc_id, r.task_id, k.deadline
    FROM responsibilities r LEFT JOIN tasks k ON k.doc_id = r.doc_id AND k.task_id = r.task_id
    WHERE NOT r.generic AND r.canonical IS NOT NULL
), tg AS (
    -- unnest in a subquery, not beside GROUP BY: DuckDB 1.4/1.5 (which read the store) reject the latter
    SELECT canonical, count(*) AS targets FROM (SELECT unnest(lead_units) AS canonical FROM targets) GROUP BY 1
)
SELECT resp.canonical,
       count(DISTINCT CASE WHEN role = 'lead' THEN doc_id || ':' || task_id END) AS tasks_led,
       count(DISTINCT CASE WHEN role <> 'lead' THEN doc_id || ':' || task_id END) AS tasks_co,
       coalesce(any_value(tg.targets), 0) AS targets,
       min(deadline) AS earliest_due, max(deadline) AS latest_due,
       count(DISTINCT doc_id) AS documents
FROM resp LEFT JOIN tg USING (canonical)
GROUP BY resp.canonical
ORDER BY tasks_led DESC, tasks_co DESC;

CREATE OR REPLACE VIEW deadlines_calendar AS
SELECT date_trunc('month', k.deadline)::DATE AS month, d.province, d.city, d.county,
       count(*) AS tasks_due, count(DISTINCT k.doc_id) AS documents
FROM tasks k JOIN documents d USING (doc_id)
WHERE k.deadline IS NOT NULL
GROUP BY ALL
ORDER BY month, d.province, d.city, d.county;
