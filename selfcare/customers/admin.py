from django.contrib import admin

from .models import Company, CostCentre, Holder, Referent, Site


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "vat_number", "heritage", "segment", "tre_customer_code"]
    list_filter = ["heritage", "segment"]
    search_fields = ["name", "vat_number", "tre_customer_code"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "company", "city"]
    search_fields = ["name", "city", "company__name"]
    raw_id_fields = ["company"]


@admin.register(Referent)
class ReferentAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "kind", "company"]
    search_fields = ["last_name", "email", "company__name"]
    raw_id_fields = ["company", "site"]


@admin.register(CostCentre)
class CostCentreAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "company"]
    search_fields = ["code", "name", "company__name"]
    raw_id_fields = ["company"]


@admin.register(Holder)
class HolderAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "company", "cost_centre"]
    search_fields = ["last_name", "first_name", "employee_code"]
    raw_id_fields = ["company", "cost_centre"]
