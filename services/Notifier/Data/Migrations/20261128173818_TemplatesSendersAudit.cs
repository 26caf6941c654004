using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace SalesMind.Notifier.Data.Migrations
{
    /// <inheritdoc />
    public partial class TemplatesSendersAudit : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "from_address",
                table: "deliveries",
                type: "character varying(254)",
                maxLength: 254,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "from_name",
                table: "deliveries",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "kind",
                table: "deliveries",
                type: "character varying(10)",
                maxLength: 10,
                nullable: false,
                defaultValue: "event");

            migrationBuilder.AddColumn<string>(
                name: "reply_to",
                table: "deliveries",
                type: "character varying(254)",
                maxLength: 254,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "template_version_id",
                table: "deliveries",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "audit_entries",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    actor = table.Column<string>(type: "character varying(150)", maxLength: 150, nullable: false),
                    action = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    target = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    before = table.Column<string>(type: "jsonb", nullable: true),
                    after = table.Column<string>(type: "jsonb", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audit_entries", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "senders",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    address = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: false),
                    display_name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    reply_to = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: true),
                    is_default = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_senders", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "templates",
                columns: table => new
                {
                    key = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    built_in = table.Column<bool>(type: "boolean", nullable: false),
                    description = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    sender_id = table.Column<Guid>(type: "uuid", nullable: true),
                    variables_json = table.Column<string>(type: "jsonb", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_templates", x => x.key);
                    table.ForeignKey(
                        name: "fk_templates_senders_sender_id",
                        column: x => x.sender_id,
                        principalTable: "senders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "template_versions",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    template_key = table.Column<string>(type: "character varying(64)", nullable: false),
                    locale = table.Column<string>(type: "character varying(5)", maxLength: 5, nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    subject = table.Column<string>(type: "text", nullable: false),
                    html = table.Column<string>(type: "text", nullable: false),
                    text = table.Column<string>(type: "text", nullable: false),
                    note = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    is_active = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    created_by = table.Column<string>(type: "character varying(150)", maxLength: 150, nullable: false),
                    activated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_template_versions", x => x.id);
                    table.ForeignKey(
                        name: "fk_template_versions_templates_template_key",
                        column: x => x.template_key,
                        principalTable: "templates",
                        principalColumn: "key",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_audit_entries_target",
                table: "audit_entries",
                column: "target");

            migrationBuilder.CreateIndex(
                name: "ix_senders_address",
                table: "senders",
                column: "address",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_senders_one_default",
                table: "senders",
                column: "is_default",
                unique: true,
                filter: "is_default");

            migrationBuilder.CreateIndex(
                name: "ix_template_versions_active",
                table: "template_versions",
                columns: new[] { "template_key", "locale" },
                unique: true,
                filter: "is_active");

            migrationBuilder.CreateIndex(
                name: "ix_template_versions_template_key_locale_version",
                table: "template_versions",
                columns: new[] { "template_key", "locale", "version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_templates_sender_id",
                table: "templates",
                column: "sender_id");

            // Exactly one default sender: the partial unique index allows at most one; this
            // trigger, checked at commit, refuses a committed state with none (while any exist),
            // so "make X the default" is two updates in one transaction.
            migrationBuilder.Sql("""
                CREATE FUNCTION senders_exactly_one_default() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF EXISTS (SELECT 1 FROM senders) AND NOT EXISTS (SELECT 1 FROM senders WHERE is_default) THEN
                        RAISE EXCEPTION 'exactly one sender must be the default' USING ERRCODE = '23514', CONSTRAINT = 'senders_exactly_one_default';
                    END IF;
                    RETURN NULL;
                END $$;
                CREATE CONSTRAINT TRIGGER senders_exactly_one_default
                    AFTER INSERT OR UPDATE OR DELETE ON senders
                    DEFERRABLE INITIALLY DEFERRED
                    FOR EACH ROW EXECUTE FUNCTION senders_exactly_one_default();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER IF EXISTS senders_exactly_one_default ON senders;
                DROP FUNCTION IF EXISTS senders_exactly_one_default();
                """);

            migrationBuilder.DropTable(
                name: "audit_entries");

            migrationBuilder.DropTable(
                name: "template_versions");

            migrationBuilder.DropTable(
                name: "templates");

            migrationBuilder.DropTable(
                name: "senders");

            migrationBuilder.DropColumn(
                name: "from_address",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "from_name",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "kind",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "reply_to",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "template_version_id",
                table: "deliveries");
        }
    }
}
