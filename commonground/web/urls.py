from django.urls import path

from commonground.web import (
    accounts,
    analysis_views,
    atlas,
    forecasts,
    imports,
    maps,
    overview,
    pages,
    views,
)

app_name = "web"

urlpatterns = [
    path("", overview.home, name="home"),
    path("map/", maps.map_page, name="map"),
    path("map/countries.geojson", maps.map_countries, name="map_countries"),
    path("map/data/events.geojson", maps.map_events, name="map_events"),
    path("map/data/areas.json", maps.map_areas, name="map_areas"),
    path("map/data/grid.json", maps.map_grid, name="map_grid"),
    path("map/data/presence.geojson", maps.map_presence, name="map_presence"),
    path("map/data/timeline.json", maps.map_timeline, name="map_timeline"),
    path("map/data/hotspots.json", analysis_views.map_hotspots, name="map_hotspots"),
    path("coverage/", analysis_views.coverage_page, name="coverage"),
    path("map/data/summary/", maps.map_summary, name="map_summary"),
    path("map/data/forecast.json", forecasts.map_forecast, name="map_forecast"),
    path("map/events/<int:event_id>/", maps.map_event, name="map_event"),
    path("atlas/", atlas.atlas_page, name="atlas"),
    path("atlas/countries.geojson", atlas.atlas_countries, name="atlas_countries"),
    path("import/", imports.import_page, name="import"),
    path("import/<str:job>/confirm", imports.import_confirm, name="import_confirm"),
    path("import/<str:job>/", imports.import_job, name="import_job"),
    path("import/<str:job>/progress", imports.import_progress, name="import_progress"),
    path("events/", views.event_list, name="event_list"),
    path("events/<int:event_id>/", views.event_detail, name="event_detail"),
    path("areas/<str:code>/", pages.area_page, name="area"),
    path("operations/<slug:slug>/", pages.operation_page, name="operation"),
    path("actors/<uuid:actor_id>/", pages.actor_page, name="actor"),
    path("accounts/", accounts.account_page, name="account"),
    path("accounts/password/", accounts.password_change, name="password_change"),
    path("accounts/password/done/", accounts.password_change_done, name="password_change_done"),
    path("organizations/", accounts.organization_list, name="organizations"),
    path("organizations/<slug:slug>/", accounts.organization_page, name="organization"),
    path("accounts/login/", views.login, name="login"),
    path("accounts/logout/", views.logout, name="logout"),
]
