"""The seeds' KPIs (DOMAIN.md, "KPI definitions"): pure functions of the store over a period,
counted per rep in SQL and summed for the team, shared by the dashboard and the digest."""
