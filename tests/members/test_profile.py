"""A member's own profile: the form, photos (refused uploads store nothing; metadata is
dropped), and a company change that waits for an admin with its conflicts."""

import io
import struct
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from members import services
from members.models import CompanyChangeRequest, Profile, Role
from members.photos import NOT_A_PHOTO, TOO_LARGE, TOO_MANY_PIXELS
from tests import factories

TORONTO = 6167865  # core.cities: Toronto, CA

pytestmark = pytest.mark.django_db

# What the page prefills (the profile's defaults), posted back as a browser does.
HOURS = {"meeting_hours_start": "07:00", "meeting_hours_end": "19:00"}


def stored_files() -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture
def empty_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def jpeg_with_gps() -> bytes:
    picture = Image.new("RGB", (800, 600), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° to stand upright
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (51.0, 30.0, 26.0)
    gps[3] = "W"
    gps[4] = (0.0, 7.0, 39.0)
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG file whose header claims width x height pixels: a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * (1 + width) * 4)  # a few rows; never read that far
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def upload(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def member():
    return factories.user_create(
        role=Role.MEMBER, email="ada@example.com", first="Ada", last="King"
    )


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("huge.jpg", b"\xff\xd8\xff" + b"0" * (20 * 1024 * 1024), TOO_LARGE),
        ("notes.jpg", b"These are my notes, not a photo.\n" * 20, NOT_A_PHOTO),
        (
            "face.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            NOT_A_PHOTO,
        ),
        ("bomb.png", png_claiming(30_000, 30_000), TOO_MANY_PIXELS),
        ("bomb2.png", png_claiming(9_000, 5_000), TOO_MANY_PIXELS),
    ],
)
def test_photo_refused_stores_nothing(member, empty_media, name, data, message):
    with pytest.raises(ValidationError) as refused:
        services.photo_set(user=member, upload=upload(name, data))
    assert refused.value.messages == [message]
    assert stored_files() == []
    assert list(Profile.objects.filter(user=member).exclude(photo="")) == []


def test_photo_with_gps_is_stored_without_any_metadata(member, empty_media):
    original = jpeg_with_gps()
    assert b"PhoneMaker" in original and Image.open(io.BytesIO(original)).getexif()
    profile = services.photo_set(user=member, upload=upload("me.jpg", original))
    [name] = stored_files()
    assert name == profile.photo.name and name.startswith("photos/") and name.endswith(".jpg")
    stored = (Path(settings.MEDIA_ROOT) / name).read_bytes()
    assert b"Exif" not in stored and b"PhoneMaker" not in stored
    picture = Image.open(io.BytesIO(stored))
    assert picture.format == "JPEG"
    assert dict(picture.getexif()) == {}
    assert picture.info.get("exif") is None and picture.info.get("icc_profile") is None
    # The orientation tag was applied to the pixels (800x600 turned upright), then scaled.
    assert picture.size == (384, 512)


def test_new_photo_replaces_the_old_file(member, empty_media, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.photo_set(user=member, upload=upload("a.jpg", jpeg_with_gps())).photo.name
    with django_capture_on_commit_callbacks(execute=True):
        second = services.photo_set(user=member, upload=upload("b.jpg", jpeg_with_gps())).photo.name
    assert first != second
    assert stored_files() == [second]
    with django_capture_on_commit_callbacks(execute=True):
        services.photo_remove(user=member)
    assert stored_files() == []


def test_profile_self_update_changes_only_what_a_member_may(member):
    services.profile_self_update(
        user=member,
        first_name="Ada",
        last_name="Lovelace",
        time_zone="Europe/London",
        preferred_name="Addie",
        phone="+44 20 7946 0000",
        share_phone=True,
    )
    member.refresh_from_db()
    assert (member.last_name, member.time_zone) == ("Lovelace", "Europe/London")
    assert (member.profile.preferred_name, member.profile.share_phone) == ("Addie", True)
    with pytest.raises(ValueError):
        services.profile_self_update(user=member, company="Rival Ltd")


def test_applicants_edit_their_application_not_a_profile():
    applicant = factories.user_create(role=Role.APPLICANT)
    with pytest.raises(PermissionDenied):
        services.profile_self_update(user=applicant, title="CEO")


def test_company_change_waits_for_an_admin_with_its_conflicts(member):
    rival = factories.user_create(role=Role.MEMBER, first="Rex", last="Rival")
    services.profile_update(profile=services.profile_get_or_create(user=rival), company="Acme Inc")
    services.profile_update(profile=services.profile_get_or_create(user=member), company="Old Co")
    change = services.company_change_request(
        user=member, company="ACME", company_website="https://acme.com"
    )
    assert change.status == CompanyChangeRequest.Status.PENDING
    assert change.conflicts == ["Ada King (ACME) and Rex Rival (Acme Inc) work at the same company"]
    assert Profile.objects.get(user=member).company == "Old Co"

    admin = factories.user_create(role=Role.ADMIN)
    with pytest.raises(PermissionDenied):
        services.company_change_decide(change=change, actor=member, approve=True)
    services.company_change_decide(change=change, actor=admin, approve=True)
    profile = Profile.objects.get(user=member)
    assert (profile.company, profile.company_website) == ("ACME", "https://acme.com")
    assert profile.company_keys == ["acme"]
    with pytest.raises(ValidationError):
        services.company_change_decide(change=change, actor=admin, approve=False)


def test_a_second_company_request_replaces_the_waiting_one(member):
    services.company_change_request(user=member, company="First Co")
    services.company_change_request(user=member, company="Second Co")
    assert list(CompanyChangeRequest.objects.values_list("company", "status")) == [
        ("Second Co", "pending")
    ]


def test_company_form_starts_from_the_company_on_file(client, member):
    profile = services.profile_get_or_create(user=member)
    services.profile_update(profile=profile, company="Old Co", company_website="https://old.test")
    client.force_login(member)
    form = client.get("/profile/").context["company_form"]
    assert (form["company"].value(), form["company_website"].value()) == (
        "Old Co",
        "https://old.test",
    )


def test_company_change_without_a_name_says_how_to_fix_it(client, member):
    client.force_login(member)
    response = client.post(
        "/profile/company/", {"company": "", "company_website": "https://initech.test"}
    )
    form = response.context["company_form"]
    assert form.errors == {"company": ["Enter the name of your new company."]}
    assert form["company_website"].value() == "https://initech.test"
    assert not CompanyChangeRequest.objects.exists()


def test_profile_page_tells_the_latest_company_request(client, member):
    admin = factories.user_create(role=Role.ADMIN)
    client.force_login(member)
    change = services.company_change_request(user=member, company="Initech")
    assert "Your change to <strong>Initech</strong> is waiting" in client.get("/profile/").text
    services.company_change_decide(change=change, actor=admin, approve=False)
    page = client.get("/profile/").text
    assert "did not approve your change to <strong>Initech</strong>" in page
    assert "is waiting" not in page
    change = services.company_change_request(user=member, company="Hooli")
    services.company_change_decide(change=change, actor=admin, approve=True)
    page = client.get("/profile/").text
    assert "did not approve" not in page
    assert "is waiting" not in page


def test_profile_page_saves_and_says_so(client, member, empty_media):
    client.force_login(member)
    response = client.post(
        "/profile/",
        {
            "first_name": "Ada",
            "last_name": "King",
            "preferred_name": "Addie",
            "time_zone": "Asia/Kolkata",
            **HOURS,
            "phone": "+91 22 1234 5678",
            "share_phone": "on",
            "photo": upload("me.jpg", jpeg_with_gps()),
        },
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == ["Your profile is saved."]
    member.refresh_from_db()
    assert (member.time_zone, member.profile.preferred_name) == ("Asia/Kolkata", "Addie")
    assert len(stored_files()) == 1


def test_profile_page_refused_photo_says_why_and_saves_nothing(client, member, empty_media):
    client.force_login(member)
    response = client.post(
        "/profile/",
        {
            "first_name": "Ada",
            "last_name": "King",
            "time_zone": "Asia/Kolkata",
            **HOURS,
            "photo": upload("face.jpg", b"<svg><script>alert(1)</script></svg>"),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"photo": [NOT_A_PHOTO]}
    member.refresh_from_db()
    assert member.time_zone == "UTC"
    assert stored_files() == []


def test_profile_form_sharing_needs_the_detail(client, member):
    client.force_login(member)
    response = client.post(
        "/profile/",
        {
            "first_name": "Ada",
            "last_name": "King",
            "time_zone": "UTC",
            **HOURS,
            "share_phone": "on",
        },
    )
    assert response.context["form"].errors == {
        "phone": ["Enter your phone number to share it, or untick sharing it."]
    }


def test_profile_page_city_from_the_list_sets_its_coordinates_and_country(client, member):
    client.force_login(member)
    html = client.get("/profile/").content.decode()
    assert 'value="07:00"' in html and 'value="19:00"' in html
    response = client.post(
        "/profile/",
        {
            "first_name": "Ada",
            "last_name": "King",
            "time_zone": "America/Toronto",
            "city": str(TORONTO),
            "meeting_hours_start": "08:30",
            "meeting_hours_end": "17:00",
        },
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == ["Your profile is saved."]
    profile = Profile.objects.get(user=member)
    assert (
        profile.city,
        profile.country,
        profile.city_geoname_id,
        profile.latitude,
        profile.longitude,
        str(profile.meeting_hours_start),
        str(profile.meeting_hours_end),
    ) == ("Toronto", "CA", TORONTO, 43.70643, -79.39864, "08:30:00", "17:00:00")
    # The page shows the chosen city again, so saving it unchanged keeps it.
    form = client.get("/profile/").context["form"]
    assert form["city"].value() == TORONTO
    assert '<label for="id_city_chosen">Toronto, Canada</label>' in str(form["city"])


def test_profile_page_keeps_a_city_typed_before_the_list(client, member):
    services.profile_update(profile=services.profile_get_or_create(user=member), city="Lyon")
    client.force_login(member)
    client.post(
        "/profile/", {"first_name": "Ada", "last_name": "King", "time_zone": "UTC", **HOURS}
    )
    profile = Profile.objects.get(user=member)
    assert (profile.city, profile.city_geoname_id) == ("Lyon", None)


def test_profile_page_refuses_hours_that_end_before_they_start(client, member):
    client.force_login(member)
    response = client.post(
        "/profile/",
        {
            "first_name": "Ada",
            "last_name": "King",
            "time_zone": "UTC",
            "meeting_hours_start": "18:00",
            "meeting_hours_end": "09:00",
        },
    )
    assert response.context["form"].errors == {
        "meeting_hours_end": ["The end of your hours must come after the start."]
    }
    assert str(Profile.objects.get(user=member).meeting_hours_start) == "07:00:00"


def test_profile_page_offers_zones_by_region_and_asks_for_a_guess(client, member):
    client.force_login(member)
    html = client.get("/profile/").content.decode()
    assert '<select name="time_zone" data-tz="guess"' in html
    assert '<optgroup label="Europe">' in html
    assert '<option value="Europe/London">London</option>' in html


def test_admin_approves_company_changes_in_the_admin_site(client, member):
    admin_user = factories.user_create(role=Role.ADMIN, totp=True)
    change = services.company_change_request(user=member, company="New Co")
    client.force_login(admin_user)
    response = client.post(
        "/admin/members/companychangerequest/",
        {"action": "approve", "_selected_action": [change.pk]},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == ["1 company change approved."]
    change.refresh_from_db()
    assert (change.status, change.decided_by) == ("approved", admin_user)
    assert Profile.objects.get(user=member).company == "New Co"
