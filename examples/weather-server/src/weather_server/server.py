"""The weather MCP server: tools, a resource and a prompt over fake, deterministic data."""

from __future__ import annotations

from dataclasses import dataclass

from mcp.server.mcpserver import MCPServer

from weather_server import __version__


@dataclass(frozen=True)
class Station:
    """A weather station and its canned forecast."""

    code: str
    city: str
    state: str
    latitude: float
    longitude: float
    forecast: str


STATIONS: tuple[Station, ...] = (
    Station("KSEA", "Seattle", "WA", 47.45, -122.31, "Light rain, 11°C, wind S 15 km/h."),
    Station("KSFO", "San Francisco", "CA", 37.62, -122.37, "Morning fog then sun, 17°C, wind W 20 km/h."),
    Station("KDEN", "Denver", "CO", 39.86, -104.67, "Clear skies, 8°C, wind NW 10 km/h."),
    Station("KORD", "Chicago", "IL", 41.98, -87.90, "Cloudy, 4°C, wind NE 25 km/h."),
    Station("KMIA", "Miami", "FL", 25.79, -80.29, "Scattered thunderstorms, 29°C, wind E 15 km/h."),
    Station("KJFK", "New York", "NY", 40.64, -73.78, "Partly cloudy, 9°C, wind NW 20 km/h."),
)

ALERTS: dict[str, tuple[str, ...]] = {
    "CA": ("Wind Advisory: gusts to 70 km/h in the Bay Area until 18:00.",),
    "FL": (
        "Flood Watch: heavy rain possible in Miami-Dade County.",
        "Rip Current Statement: dangerous swimming conditions on Atlantic beaches.",
    ),
    "WA": ("Winter Storm Watch: 20-30 cm of snow above 900 m in the Cascades.",),
}

mcp = MCPServer(
    "weather",
    version=__version__,
    instructions="Weather forecasts and alerts from built-in sample data (no live data).",
)


def _nearest_station(latitude: float, longitude: float) -> Station:
    """Return the station closest to a point (flat-earth distance is fine for samples)."""
    return min(STATIONS, key=lambda s: (s.latitude - latitude) ** 2 + (s.longitude - longitude) ** 2)


@mcp.tool()
def get_forecast(latitude: float, longitude: float) -> str:
    """Forecast for a latitude/longitude."""
    if not (-90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0):
        return f"Invalid coordinates: {latitude}, {longitude}."
    station = _nearest_station(latitude, longitude)
    return f"Forecast near {station.city}, {station.state} (station {station.code}): {station.forecast}"


@mcp.tool()
def get_alerts(state: str) -> str:
    """Active weather alerts for a US state (two-letter code)."""
    code = state.strip().upper()
    if len(code) != 2 or not code.isalpha():
        return f"Not a two-letter state code: {state!r}."
    alerts = ALERTS.get(code, ())
    if not alerts:
        return f"No active alerts for {code}."
    return "\n".join(f"- {alert}" for alert in alerts)


@mcp.resource("weather://stations", name="stations", mime_type="text/plain")
def stations() -> str:
    """List of weather stations known to this server."""
    return "\n".join(
        f"{s.code}  {s.city}, {s.state}  ({s.latitude:.2f}, {s.longitude:.2f})" for s in STATIONS
    )


@mcp.prompt()
def plan_trip(city: str) -> str:
    """Ask the model to plan a trip around the weather in a city."""
    return (
        f"I am planning a trip to {city}. Use the get_forecast tool for {city}'s coordinates "
        "and the get_alerts tool for its state, then suggest what to pack and which days "
        "suit outdoor activities."
    )


def main() -> None:
    """Run the server over stdio."""
    mcp.run()


if __name__ == "__main__":
    main()
