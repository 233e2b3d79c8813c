from django.contrib import admin

from shelfmark.libraries import services
from shelfmark.libraries.models import ClosedDay, Library, OpeningHours, ServicePoint


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


@admin.register(Library)
class LibraryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "kind", "parent", "is_active")
    list_filter = ("level", "kind", "is_active")
    search_fields = ("code", "name", "name_en")
    inlines = [OpeningHoursInline]

    def save_model(self, request, obj, form, change):
        """Create through the service on add; keep the subtree's paths right when the parent changes."""
        if not change:
            created = services.create_library(
                code=obj.code,
                name=obj.name,
                level=obj.level,
                parent=obj.parent,
                kind=obj.kind,
                name_en=obj.name_en,
                address=obj.address,
                actor=request.user,
            )
            obj.pk, obj.path, obj.depth = created.pk, created.path, created.depth
            return
        new_parent = obj.parent
        super().save_model(request, obj, form, change)
        if obj.path != f"{new_parent.path if new_parent else '/'}{obj.pk}/":
            services.move_library(library=obj, parent=new_parent, actor=request.user)


@admin.register(ServicePoint)
class ServicePointAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "library", "kind", "is_pickup_point")
    list_filter = ("kind",)
    search_fields = ("code", "name")


@admin.register(ClosedDay)
class ClosedDayAdmin(admin.ModelAdmin):
    list_display = ("library", "date", "reason", "applies_to_subtree")
    list_filter = ("applies_to_subtree",)
    date_hierarchy = "date"
