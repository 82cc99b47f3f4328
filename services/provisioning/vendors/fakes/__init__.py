"""In-memory fakes of the ports, for unit tests of the code that uses them."""

from services.provisioning.vendors.fakes.antivirus import FakeAntivirus
from services.provisioning.vendors.fakes.base import FakeVendor, FakeWrite
from services.provisioning.vendors.fakes.hosting import FakeHosting
from services.provisioning.vendors.fakes.licenses import FakeLicenses
from services.provisioning.vendors.fakes.monitoring import FakeMonitoring

__all__ = [
    "FakeAntivirus",
    "FakeHosting",
    "FakeLicenses",
    "FakeMonitoring",
    "FakeVendor",
    "FakeWrite",
]
