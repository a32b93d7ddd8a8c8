from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group

from members import services
from members.models import (
    Challenge,
    CompanyChangeRequest,
    ConfidentialityAgreement,
    ConflictDeclaration,
    Profile,
    RankedChallenge,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "role", "is_active", "date_joined"]
    list_filter = ["role", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["first_name", "last_name", "time_zone"]}),
        ("Access", {"fields": ["role", "is_active", "is_superuser"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "role", "password1", "password2"]})
    ]
    readonly_fields = ["last_login", "date_joined"]


# Roles are PeerNet's one representation of access (User.role); auth groups are not used.
admin.site.unregister(Group)


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    """The shared challenge taxonomy members rank; admins keep it current."""

    list_display = ["name", "description", "is_active", "position"]
    list_editable = ["is_active", "position"]
    search_fields = ["name"]


@admin.register(ConfidentialityAgreement)
class ConfidentialityAgreementAdmin(admin.ModelAdmin):
    list_display = ["version", "published_at"]

    def has_change_permission(self, request, obj=None):
        # A version once published is what people accepted: publish a new one instead.
        return obj is None


class RankedChallengeInline(admin.TabularInline):
    model = RankedChallenge
    extra = 0


class ConflictInline(admin.TabularInline):
    model = ConflictDeclaration
    extra = 0
    raw_id_fields = ["other_user"]
    exclude = ["company_keys"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "title", "company", "industry", "approved_at", "renewal_due_on"]
    list_filter = ["industry", "preferred_format"]
    search_fields = ["user__email", "user__last_name", "company"]
    raw_id_fields = ["user"]
    readonly_fields = ["company_keys"]
    inlines = [RankedChallengeInline, ConflictInline]


@admin.register(CompanyChangeRequest)
class CompanyChangeRequestAdmin(admin.ModelAdmin):
    """Members' company changes wait here: approve or decline (services re-run the conflict
    check at that moment and record who decided)."""

    list_display = ["user", "company", "company_website", "status", "conflict_count", "created_at"]
    list_filter = ["status"]
    search_fields = ["user__email", "user__last_name", "company"]
    readonly_fields = [
        "user",
        "company",
        "company_website",
        "status",
        "conflicts",
        "created_at",
        "decided_by",
        "decided_at",
    ]
    actions = ["approve", "decline"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="conflicts")
    def conflict_count(self, obj) -> int:
        return len(obj.conflicts)

    def _decide(self, request, queryset, approve: bool):
        done = 0
        for change in queryset.filter(status=CompanyChangeRequest.Status.PENDING):
            services.company_change_decide(change=change, actor=request.user, approve=approve)
            done += 1
        verb = "approved" if approve else "declined"
        self.message_user(request, f"{done} company change{'s' if done != 1 else ''} {verb}.")

    @admin.action(description="Approve the selected company changes")
    def approve(self, request, queryset):
        self._decide(request, queryset, approve=True)

    @admin.action(description="Decline the selected company changes")
    def decline(self, request, queryset):
        self._decide(request, queryset, approve=False)
